// SPDX-License-Identifier: GPL-2.0
/*
 * skbscope uses libpcap only to compile filter expressions against a dead
 * handle (core/pcapexpr.c); it never opens a device. libpcap's table of
 * capture sources still names every module, and Debian's libpcap.a has
 * one for D-Bus, whose static libdbus-1 needs a libsystemd.a that Debian
 * does not ship. Defining that module's two entry points here keeps
 * pcap-dbus.o (and libdbus) out of skbscope-static: the linker takes an
 * archive member only for a symbol still undefined. A capture source
 * that is never asked for finds nothing.
 */
#include <stddef.h>

struct pcap;
struct pcap_if_list;

int dbus_findalldevs(struct pcap_if_list *devlistp, char *err_str);
struct pcap *dbus_create(const char *device, char *ebuf, int *is_ours);

int dbus_findalldevs(struct pcap_if_list *devlistp, char *err_str)
{
	(void)devlistp;
	(void)err_str;
	return 0;
}

struct pcap *dbus_create(const char *device, char *ebuf, int *is_ours)
{
	(void)device;
	(void)ebuf;
	*is_ours = 0;
	return NULL;
}
