// SPDX-License-Identifier: GPL-2.0
/*
 * The filter bar's language (core/filter.c, and libpcap behind "pcap" and
 * unknown words): any line of text either parses or names an offset inside
 * it, and what parses prints back as text that parses to the same filter.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/filter.h"

/* Longer than anything the filter bar takes, so its length checks run. */
#define TEXT_MAX 2048

/* A name under here is never a namespace, and stat() on it is harmless. */
static const char netns_dir[] = "/nonexistent/skbscope-fuzz";

static void check_round_trip(const struct skbs_filter *f)
{
	static char text[4096], again[4096];
	static struct skbs_filter g;
	char err[512];
	int bad;

	if (filter_format(f, text, sizeof(text)) >= (int)sizeof(text))
		return; /* cut short: nothing to compare */
	filter_init(&g);
	if (filter_parse(text, netns_dir, &g, err, sizeof(err), &bad))
		abort(); /* our own output refused */
	filter_format(&g, again, sizeof(again));
	if (strcmp(text, again))
		abort(); /* printing and parsing disagree */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct skbs_filter f, zero;
	char text[TEXT_MAX + 1], err[512];
	int bad = -2;

	if (size > TEXT_MAX)
		size = TEXT_MAX;
	memcpy(text, data, size);
	text[size] = '\0';
	filter_init(&f);
	if (filter_parse(text, netns_dir, &f, err, sizeof(err), &bad)) {
		/* The offset points into the text (or at its end). */
		if (bad < 0 || (size_t)bad > strlen(text) || !err[0])
			abort();
		/* All or nothing: a refused line leaves the filter alone. */
		if (memcmp(&f, &zero, sizeof(f)))
			abort();
		return 0;
	}
	check_round_trip(&f);
	return 0;
}
