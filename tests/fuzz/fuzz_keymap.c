// SPDX-License-Identifier: GPL-2.0
/*
 * The keymap parser (tui/keymap.c) on file contents: all or nothing, the
 * table stays within KEYMAP_MAX, and every bound key has a name that
 * parses back to it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "tui/keymap.h"

/* keymap_parse_file reads at most 64 KiB. */
#define TEXT_MAX 65536

static struct keymap base;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	(void)argc;
	(void)argv;
	if (keymap_load(&base, NULL, err, sizeof(err)))
		abort(); /* the shipped default must load */
	return 0;
}

static void check_keymap(struct keymap *km)
{
	char buf[512], name[32];

	if (km->n < 0 || km->n > KEYMAP_MAX)
		abort();
	for (int i = 0; i < km->n; i++) {
		const struct binding *b = &km->b[i];

		if (b->act <= ACT_NONE || b->act >= ACT_COUNT || b->nkeys < 1 ||
		    b->nkeys > 2)
			abort();
		/* Single keys print as names key_parse reads back; a
		 * sequence is two printable characters. */
		if (b->nkeys == 1 &&
		    key_parse(keyname_of(b->keys[0], name, sizeof(name))) !=
			    b->keys[0])
			abort();
	}
	for (int a = 0; a < ACT_COUNT; a++)
		keymap_keys_for(km, (enum action)a, buf, sizeof(buf));
	/* Walk a few keys through the sequence state machine. */
	for (int k = 0; k < 128; k++)
		keymap_lookup(km, k);
	keymap_lookup(km, K_ENTER);
	keymap_lookup(km, K_F12);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct keymap km;
	static char text[TEXT_MAX + 1];
	char err[512];

	if (size > TEXT_MAX)
		return 0;
	/* As keymap_parse_file: text with a NUL in it is refused before. */
	if (memchr(data, '\0', size))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	km = base;
	if (keymap_parse(&km, text, "fuzz.keys", err, sizeof(err))) {
		if (memcmp(&km, &base, sizeof(km)) || !err[0])
			abort(); /* refused, yet changed */
		return 0;
	}
	check_keymap(&km);
	return 0;
}
