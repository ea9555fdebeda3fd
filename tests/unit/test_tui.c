// SPDX-License-Identifier: GPL-2.0
/*
 * Golden screens: recorded events plus key scripts, rendered into the cell
 * buffer at 80x24 and 132x43 and compared with text dumps under
 * tests/tui/golden/. UPDATE_GOLDEN=1 writes the dumps instead.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <bpf/btf.h>
#include "core/explain.h"
#include "core/reasons.h"
#include "core/trace/btf.h"
#include "core/hooks.h"
#include "core/ksyms.h"
#include "core/record.h"
#include "core/store.h"
#include "tui/cells.h"
#include "tui/explorer.h"
#include "tui/fmt.h"
#include "tui/keymap.h"
#include "tui/lineedit.h"
#include "tui/model.h"
#include "tui/view.h"
#include "test.h"

struct fixture {
	struct hooks *hooks;
	struct btf *btf;
	struct reasons *reasons;
	struct store *store;
	char note[128]; /* explain-note */
	/* A recording (NAME.rec): its reader owns the hooks, reasons and
	 * symbols the screens use. */
	struct rec_reader *rec;
	const struct ksyms *ksyms;
};

static const char *tdir(void)
{
	const char *d = getenv("SKBSCOPE_TUI_TESTS");

	return d ? d : "tests/tui";
}

static void take_return(void *ctx, const struct skbs_return *r, int kind)
{
	store_add_return(ctx, r, kind);
}

/* A recording made by skbscope itself (--record, here --output-return in
 * the 6.12 test VM), played into the store as a replay would. */
static int load_recording(const char *name, struct fixture *fx, char *err,
			  size_t errlen)
{
	const struct skbs_event *ev;
	const __u64 *stack;
	const char *tail;
	char path[512];
	int n, ret;

	snprintf(path, sizeof(path), "%s/%s", tdir(), name);
	store_new(1000, &fx->store);
	ret = rec_open(path, &fx->rec, err, errlen);
	if (ret)
		return ret;
	rec_set_return_fn(fx->rec, take_return, fx->store);
	while ((ret = rec_next(fx->rec, &ev, &tail, &stack, &n, err, errlen)) ==
	       1)
		store_add(fx->store, ev, tail);
	fx->ksyms = rec_ksyms(fx->rec);
	return ret;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

static __u8 hdrbuf[SKBS_SNAP_MAX];

/* The flags an "ev" line names, comma-separated. */
static const struct {
	const char *name;
	__u8 flag;
} ev_flags[] = {
	{ "tuple", SKBS_EV_TUPLE }, { "drop", SKBS_EV_DROP },
	{ "free", SKBS_EV_FREE },   { "reason", SKBS_EV_REASON },
	{ "l2", SKBS_EV_HDR_L2 },
};

static int parse_flags(char *v, __u8 *out, char *err, size_t errlen)
{
	char *save = NULL;

	for (char *f = strtok_r(v, ",", &save); f;
	     f = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(ev_flags) / sizeof(ev_flags[0]); i++)
			if (!strcmp(f, ev_flags[i].name))
				break;
		if (i == sizeof(ev_flags) / sizeof(ev_flags[0])) {
			snprintf(err, errlen, "unknown flag '%s'", f);
			return -EINVAL;
		}
		*out |= ev_flags[i].flag;
	}
	return 0;
}

/* The KEY=VALUE tokens of an "ev" line; -EINVAL with the bad token in
 * err. */
static int parse_ev(char *line, struct skbs_event *ev, char *err, size_t errlen)
{
	char *save = NULL;

	memset(ev, 0, sizeof(*ev));
	ev->rec_type = SKBS_REC_EVENT;
	ev->stack_id = -1;
	ev->l3_proto = 0x0800;
	for (char *t = strtok_r(line, " ", &save); t;
	     t = strtok_r(NULL, " ", &save)) {
		char *v = strchr(t, '=');

		if (!v) {
			snprintf(err, errlen, "'%s' is not KEY=VALUE", t);
			return -EINVAL;
		}
		*v++ = '\0';
		if (!strcmp(t, "skb"))
			ev->skb = strtoull(v, NULL, 0);
		else if (!strcmp(t, "gen"))
			ev->gen = strtoul(v, NULL, 0);
		else if (!strcmp(t, "hook"))
			ev->hook = strtoul(v, NULL, 0);
		else if (!strcmp(t, "ts"))
			ev->ts = strtoull(v, NULL, 0);
		else if (!strcmp(t, "cpu"))
			ev->cpu = strtoul(v, NULL, 0);
		else if (!strcmp(t, "netns"))
			ev->netns = strtoul(v, NULL, 0);
		else if (!strcmp(t, "ifindex"))
			ev->ifindex = strtoul(v, NULL, 0);
		else if (!strcmp(t, "ifname"))
			strncpy(ev->ifname, v, sizeof(ev->ifname) - 1);
		else if (!strcmp(t, "len"))
			ev->len = strtoul(v, NULL, 0);
		else if (!strcmp(t, "mark"))
			ev->mark = strtoul(v, NULL, 0);
		else if (!strcmp(t, "proto"))
			ev->l4_proto = strtoul(v, NULL, 0);
		else if (!strcmp(t, "src"))
			inet_pton(AF_INET, v, ev->saddr);
		else if (!strcmp(t, "dst"))
			inet_pton(AF_INET, v, ev->daddr);
		else if (!strcmp(t, "sport"))
			ev->sport = strtoul(v, NULL, 0);
		else if (!strcmp(t, "dport"))
			ev->dport = strtoul(v, NULL, 0);
		else if (!strcmp(t, "reason"))
			ev->drop_reason = strtoul(v, NULL, 0);
		else if (!strcmp(t, "location"))
			ev->location = strtoull(v, NULL, 0);
		else if (!strcmp(t, "hdr")) {
			/* hex bytes of the captured headers */
			size_t n = strlen(v) / 2;

			for (size_t i = 0; i < n && i < sizeof(hdrbuf); i++)
				sscanf(v + 2 * i, "%2hhx", &hdrbuf[i]);
			ev->hdr_len = (__u16)(n < sizeof(hdrbuf) ?
						      n :
						      sizeof(hdrbuf));
		} else if (!strcmp(t, "flags")) {
			if (parse_flags(v, &ev->flags, err, errlen))
				return -EINVAL;
		} else {
			snprintf(err, errlen, "unknown key '%s'", t);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Fixture files, line by line:
 *   hook fn|tp GROUP|- NAME         a hook, ids in order from 0
 *   reason VALUE NAME               a drop reason
 *   ev KEY=VALUE...                 an event into the store
 *   why GEN KIND TEXT...            explain drop GEN (a kind of
 *                                   explain_kind_parse, not "none")
 *   field GEN KEY VALUE...          a field of GEN's explanation, after
 *                                   its why
 *   explain-note TEXT...            the source's note for the status line
 *   include FILE                    another fixture's lines, here
 * '#' starts a comment line. Anything else fails, naming the file and
 * line: a typo must not leave a fixture that tests less than it says.
 */
struct fixture_load {
	struct fixture *fx;
	struct explain why; /* being built, for gen why_gen */
	__u32 why_gen;
	int depth; /* of include */
	char *err;
	size_t errlen;
};

/* The explanation built so far into the store. */
static void flush_why(struct fixture_load *ld)
{
	if (ld->why_gen)
		store_set_explain(ld->fx->store, ld->why_gen, &ld->why);
	ld->why_gen = 0;
}

static int load_file(struct fixture_load *ld, const char *name);

/* One line of file name (line lineno); -EINVAL with ld->err set. */
static int load_line(struct fixture_load *ld, const char *name, int lineno,
		     char *line)
{
	struct fixture *fx = ld->fx;
	char a[16], b[32], c[96], msg[200] = "";
	unsigned v;
	int n = 0;

	if (line[0] == '#' || !line[strspn(line, " \t")])
		return 0;
	if (!strncmp(line, "hook ", 5)) {
		struct hook hk = { 0 };

		if (sscanf(line, "hook %15s %31s %95s %n", a, b, c, &n) != 3 ||
		    line[n] || (strcmp(a, "fn") && strcmp(a, "tp"))) {
			snprintf(msg, sizeof(msg), "%s",
				 "expected hook fn|tp GROUP|- NAME");
			goto bad;
		}
		hk.kind = !strcmp(a, "fn") ? HOOK_FUNCTION : HOOK_TRACEPOINT;
		if (strcmp(b, "-"))
			snprintf(hk.group, sizeof(hk.group), "%s", b);
		snprintf(hk.name, sizeof(hk.name), "%s", c);
		hooks_add(fx->hooks, &hk);
	} else if (!strncmp(line, "reason ", 7)) {
		if (sscanf(line, "reason %u %95s %n", &v, c, &n) != 2 ||
		    line[n]) {
			snprintf(msg, sizeof(msg), "%s",
				 "expected reason VALUE NAME");
			goto bad;
		}
		btf__add_enum_value(fx->btf, c, v);
	} else if (!strncmp(line, "ev ", 3)) {
		struct skbs_event ev;

		if (parse_ev(line + 3, &ev, msg, sizeof(msg)))
			goto bad;
		store_add(fx->store, &ev, (const char *)hdrbuf);
	} else if (!strncmp(line, "why ", 4)) {
		long i;
		int k;

		flush_why(ld);
		if (sscanf(line, "why %u %31s %n", &v, b, &n) != 2 ||
		    !line[n]) {
			snprintf(msg, sizeof(msg), "%s",
				 "expected why GEN KIND TEXT");
			goto bad;
		}
		k = explain_kind_parse(b);
		if (k <= EXPLAIN_NONE) {
			snprintf(msg, sizeof(msg), "unknown kind '%s'", b);
			goto bad;
		}
		i = store_find(fx->store, v);
		if (i < 0 ||
		    store_packet(fx->store, (size_t)i)->state != PKT_DROPPED) {
			snprintf(msg, sizeof(msg),
				 "gen %u is not a drop (yet): explain it after "
				 "its events",
				 v);
			goto bad;
		}
		memset(&ld->why, 0, sizeof(ld->why));
		explain_set(&ld->why, (enum explain_kind)k, "%s", line + n);
		ld->why_gen = v;
	} else if (!strncmp(line, "field ", 6)) {
		if (sscanf(line, "field %u %31s %n", &v, b, &n) != 2 ||
		    !line[n]) {
			snprintf(msg, sizeof(msg), "%s",
				 "expected field GEN KEY VALUE");
			goto bad;
		}
		if (!ld->why_gen || v != ld->why_gen) {
			snprintf(msg, sizeof(msg),
				 "field of gen %u, not after its why", v);
			goto bad;
		}
		if (strlen(b) >= EXPLAIN_KEY ||
		    strlen(line + n) >= EXPLAIN_VAL) {
			snprintf(msg, sizeof(msg), "%s",
				 "key or value too long");
			goto bad;
		}
		if (explain_add(&ld->why, b, "%s", line + n)) {
			snprintf(msg, sizeof(msg), "more than %d fields",
				 EXPLAIN_FIELDS);
			goto bad;
		}
	} else if (!strncmp(line, "explain-note ", 13)) {
		snprintf(fx->note, sizeof(fx->note), "%s", line + 13);
	} else if (!strncmp(line, "include ", 8)) {
		if (ld->depth >= 2) {
			snprintf(msg, sizeof(msg), "%s",
				 "includes nest deeper than 2");
			goto bad;
		}
		flush_why(ld);
		ld->depth++;
		n = load_file(ld, line + 8);
		ld->depth--;
		return n;
	} else {
		snprintf(msg, sizeof(msg), "unknown line '%.60s'", line);
		goto bad;
	}
	return 0;
bad:
	snprintf(ld->err, ld->errlen, "%s:%d: %s", name, lineno, msg);
	return -EINVAL;
}

/* The lines of text (changed in place), as file name. */
static int load_text(struct fixture_load *ld, const char *name, char *text)
{
	char *line, *next;
	int lineno = 0, ret = 0;

	for (line = text; line && !ret; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		ret = load_line(ld, name, lineno, line);
	}
	flush_why(ld);
	return ret;
}

static int load_file(struct fixture_load *ld, const char *name)
{
	char path[512], *text;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", tdir(), name);
	text = slurp(path);
	if (!text) {
		snprintf(ld->err, ld->errlen, "%s: cannot read", path);
		return -ENOENT;
	}
	ret = load_text(ld, name, text);
	free(text);
	return ret;
}

/*
 * The fixture in file name, or with text non-NULL in text (changed in
 * place) as if it were file name. 0, or -errno and why in err; fx is to
 * be freed either way.
 */
static int load_fixture_from(const char *name, char *text, struct fixture *fx,
			     char *err, size_t errlen)
{
	struct fixture_load ld = { .fx = fx, .err = err, .errlen = errlen };
	size_t nl = strlen(name);
	int ret;

	if (!text && nl > 4 && !strcmp(name + nl - 4, ".rec"))
		return load_recording(name, fx, err, errlen);
	hooks_new(&fx->hooks);
	store_new(1000, &fx->store);
	fx->btf = btf__new_empty();
	btf__add_enum(fx->btf, "skb_drop_reason", 4);
	ret = text ? load_text(&ld, name, text) : load_file(&ld, name);
	kbtf_load_reasons(fx->btf, &fx->reasons);
	return ret;
}

static int load_fixture(const char *name, struct fixture *fx, char *err,
			size_t errlen)
{
	return load_fixture_from(name, NULL, fx, err, errlen);
}

static void free_fixture(struct fixture *fx)
{
	if (fx->rec) {
		store_free(fx->store);
		rec_close_reader(fx->rec);
		return;
	}
	store_free(fx->store);
	reasons_free(fx->reasons);
	btf__free(fx->btf);
	hooks_free(fx->hooks);
}

/* One line of cases.txt: NAME FIXTURE KEYS... */
struct tui_case {
	char name[64];
	char fixture[64];
	char keys[512];
};

/*
 * Line LINENO of the cases file PATH: 1 and *tc for a case, 0 for a blank
 * or comment line, -EINVAL and a message naming the line and the bad
 * token in err. A key the parser does not know is an error, not a no-op:
 * a misspelt key would otherwise leave a case that tests less than it says.
 */
static int parse_case(const char *path, int lineno, const char *line,
		      struct tui_case *tc, char *err, size_t errlen)
{
	char buf[sizeof(tc->keys)], *tok, *save = NULL;
	int n = 0;

	memset(tc, 0, sizeof(*tc));
	if (strlen(line) >= sizeof(buf)) {
		snprintf(err, errlen, "%s:%d: line longer than %zu bytes", path,
			 lineno, sizeof(buf) - 1);
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", line);
	for (tok = strtok_r(buf, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save), n++) {
		if (n == 0 && tok[0] == '#')
			return 0;
		if (n == 0 || n == 1) {
			char *dst = n ? tc->fixture : tc->name;

			if (strlen(tok) >= sizeof(tc->name)) {
				snprintf(err, errlen,
					 "%s:%d: '%s' is longer "
					 "than %zu bytes",
					 path, lineno, tok,
					 sizeof(tc->name) - 1);
				return -EINVAL;
			}
			strcpy(dst, tok);
			continue;
		}
		if (!strncmp(tok, "type:", 5) ? !tok[5] : !key_parse(tok)) {
			snprintf(err, errlen, "%s:%d: unknown key '%s'", path,
				 lineno, tok);
			return -EINVAL;
		}
		if (tc->keys[0])
			strcat(tc->keys, " ");
		strcat(tc->keys, tok);
	}
	if (n == 0)
		return 0;
	if (n == 1) {
		snprintf(err, errlen,
			 "%s:%d: '%s': expected NAME FIXTURE "
			 "[KEYS...]",
			 path, lineno, tc->name);
		return -EINVAL;
	}
	return 1;
}

/* 0, or -errno when the golden dump cannot be written in full. */
static int write_golden(const char *path, const char *dump)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fputs(dump, f) == EOF)
		err = -errno;
	if (fclose(f) == EOF && !err)
		err = -errno;
	return err;
}

static void press(struct ui *ui, const char *tok)
{
	if (!strncmp(tok, "type:", 5)) {
		for (const char *p = tok + 5; *p; p++)
			ui_key(ui, *p == '~' ? ' ' : *p);
		return;
	}
	ui_key(ui, key_parse(tok));
	ui_refresh(ui);
}

/* Render one case at w x h; returns 0 when it matches its golden dump. */
static int run_case(const char *name, const char *fixture, char *keys, int w,
		    int h, const struct ksyms *ks)
{
	struct fixture fx = { 0 };
	struct ui ui;
	struct grid g;
	char path[512], *dump, *want, *save = NULL, why[512];
	int ret = 0;

	if (load_fixture(fixture, &fx, why, sizeof(why))) {
		test_fail(__FILE__, __LINE__, "%s: fixture %s", name, why);
		free_fixture(&fx);
		return -1;
	}
	if (fx.rec)
		ui_init(&ui, fx.store, rec_hooks(fx.rec), rec_reasons(fx.rec));
	else
		ui_init(&ui, fx.store, fx.hooks, fx.reasons);
	ui.ksyms = fx.ksyms ? fx.ksyms : ks;
	ui.color = 0;
	ui.st.backend = "tracepoint";
	ui.st.attached = 30;
	ui.st.events_per_s = 10;
	ui.st.received = store_events(fx.store);
	snprintf(ui.st.explain_note, sizeof(ui.st.explain_note), "%s", fx.note);
	ui.follow = 0;
	grid_init(&g, w, h, 1);
	ui_refresh(&ui);
	ui_layout(&ui, w, h); /* geometry for paging */
	view_render(&ui, &g);
	for (char *t = strtok_r(keys, " ", &save); t;
	     t = strtok_r(NULL, " ", &save))
		press(&ui, t);
	ui_refresh(&ui);
	ui_layout(&ui, w, h);
	view_render(&ui, &g);
	dump = grid_dump(&g);
	snprintf(path, sizeof(path), "%s/golden/%s.%dx%d.txt", tdir(), name, w,
		 h);
	if (getenv("UPDATE_GOLDEN")) {
		int err = write_golden(path, dump);

		if (err) {
			test_fail(__FILE__, __LINE__,
				  "UPDATE_GOLDEN: cannot "
				  "write %s: %s",
				  path, strerror(-err));
			ret = -1;
		}
	} else {
		want = slurp(path);
		if (!want || strcmp(want, dump)) {
			test_fail(__FILE__, __LINE__,
				  "%s at %dx%d differs "
				  "from %s; it renders as:\n%s",
				  name, w, h, path, dump);
			ret = -1;
		}
		free(want);
	}
	free(dump);
	grid_fini(&g);
	ui_fini(&ui);
	free_fixture(&fx);
	return ret;
}

TEST(tui_golden_screens)
{
	char path[512], *cases, *line, *next;
	struct ksyms *ks = NULL;
	int n = 0, lineno = 0;

	ksyms_load(test_fixture("kallsyms.txt"), &ks);
	snprintf(path, sizeof(path), "%s/cases.txt", tdir());
	cases = slurp(path);
	CHECK(cases != NULL);
	for (line = cases; line; line = next) {
		struct tui_case tc;
		char err[640], k2[sizeof(tc.keys)];

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		switch (parse_case(path, lineno, line, &tc, err, sizeof(err))) {
		case 0: continue;
		case 1: break;
		default: test_fail(__FILE__, __LINE__, "%s", err); continue;
		}
		strcpy(k2, tc.keys);
		run_case(tc.name, tc.fixture, tc.keys, 80, 24, ks);
		run_case(tc.name, tc.fixture, k2, 132, 43, ks);
		n++;
	}
	free(cases);
	ksyms_free(ks);
	CHECK(n >= 10);
}

/* A bad line in cases.txt fails, naming the line and the token. */
TEST(tui_cases_reject_bad_lines)
{
	struct tui_case tc;
	char err[640];

	CHECK_INT(parse_case("c.txt", 1, "# a comment", &tc, err, sizeof(err)),
		  0);
	CHECK_INT(parse_case("c.txt", 2, "", &tc, err, sizeof(err)), 0);
	CHECK_INT(parse_case("c.txt", 3, "timeline drop.events Up Tab ] C-d",
			     &tc, err, sizeof(err)),
		  1);
	CHECK_STR(tc.name, "timeline");
	CHECK_STR(tc.fixture, "drop.events");
	CHECK_STR(tc.keys, "Up Tab ] C-d");
	CHECK_INT(parse_case("c.txt", 4, "list drop.events", &tc, err,
			     sizeof(err)),
		  1);
	CHECK_STR(tc.keys, "");
	CHECK_INT(parse_case("c.txt", 7, "x drop.events Up Bogus Enter", &tc,
			     err, sizeof(err)),
		  -EINVAL);
	CHECK_STR(err, "c.txt:7: unknown key 'Bogus'");
	CHECK_INT(parse_case("c.txt", 8, "x drop.events type:", &tc, err,
			     sizeof(err)),
		  -EINVAL);
	CHECK_HAS(err, "c.txt:8: unknown key 'type:'");
	CHECK_INT(parse_case("c.txt", 9, "lonely", &tc, err, sizeof(err)),
		  -EINVAL);
	CHECK_HAS(err, "c.txt:9: 'lonely'");
}

/* UPDATE_GOLDEN reports a dump it could not write, open or close. */
TEST(tui_golden_write_errors_returned)
{
	CHECK_INT(write_golden("/nonexistent/golden/x.txt", "x\n"), -ENOENT);
	CHECK_INT(write_golden("/dev/full", "x\n"), -ENOSPC);
}

TEST(tui_every_action_bound_and_in_help)
{
	const char *maps[] = { "default", "vim", "emacs" };

	for (size_t m = 0; m < 3; m++) {
		struct keymap km;
		char err[256], keys[64];

		CHECK_INT(keymap_load(&km, maps[m], err, sizeof(err)), 0);
		for (int a = 1; a < ACT_COUNT; a++) {
			keymap_keys_for(&km, (enum action)a, keys,
					sizeof(keys));
			if (!keys[0])
				test_fail(__FILE__, __LINE__,
					  "%s: action %s "
					  "is not bound",
					  maps[m], action_name((enum action)a));
			if (!action_help((enum action)a)[0])
				test_fail(__FILE__, __LINE__,
					  "action %s has "
					  "no help line",
					  action_name((enum action)a));
		}
	}
}

/* The help overlay lists every action, even at 80x24. */
TEST(tui_help_lists_every_action)
{
	struct hooks *h;
	struct store *st;
	struct ui ui;
	struct grid g;
	char *dump;

	hooks_new(&h);
	store_new(10, &st);
	CHECK_INT(ui_init(&ui, st, h, NULL), 0);
	CHECK_INT(grid_init(&g, 80, 24, 0), 0);
	ui_key(&ui, '?');
	view_render(&ui, &g);
	dump = grid_dump(&g);
	for (int a = 1; a < ACT_COUNT; a++)
		if (!strstr(dump, action_help((enum action)a)))
			test_fail(__FILE__, __LINE__,
				  "help at 80x24 lacks "
				  "'%s':\n%s",
				  action_help((enum action)a), dump);
	free(dump);
	grid_fini(&g);
	ui_fini(&ui);
	store_free(st);
	hooks_free(h);
}

TEST(tui_keymap_errors_name_file_line_token)
{
	struct keymap km;
	char err[256];
	int before;

	CHECK_INT(keymap_load(&km, NULL, err, sizeof(err)), 0);
	before = km.n;
	CHECK_INT(keymap_parse(&km, "bind j down\nbind x explode\n", "my.keys",
			       err, sizeof(err)),
		  -EINVAL);
	CHECK_STR(err, "my.keys:2: unknown action 'explode'");
	CHECK_INT(km.n, before); /* all or nothing */
	CHECK_INT(keymap_parse(&km, "bind Ctrl-x quit\n", "k", err,
			       sizeof(err)),
		  -EINVAL);
	CHECK_HAS(err, "unknown key 'Ctrl-x'");
	CHECK_INT(keymap_parse(&km, "bnd j down\n", "k", err, sizeof(err)),
		  -EINVAL);
	CHECK_HAS(err, "k:1:");
	CHECK_INT(keymap_parse(&km, "bind j do\x01wn\n", "k", err, sizeof(err)),
		  -EINVAL);
	CHECK_HAS(err, "binary");
	CHECK_INT(keymap_parse(&km, "# only a comment\n\nunbind q\n", "k", err,
			       sizeof(err)),
		  0);
	CHECK_INT(keymap_lookup(&km, 'q'), ACT_NONE);
	CHECK_INT(keymap_load(&km, "/nonexistent/keys", err, sizeof(err)),
		  -ENOENT);
	CHECK_HAS(err, "/nonexistent/keys");
}

TEST(tui_vim_sequences)
{
	struct keymap km;
	char err[256];

	CHECK_INT(keymap_load(&km, "vim", err, sizeof(err)), 0);
	CHECK_INT(keymap_lookup(&km, 'g'), ACT_NONE);
	CHECK_INT(keymap_lookup(&km, 'g'), ACT_TOP);
	CHECK_INT(keymap_lookup(&km, 'G'), ACT_BOTTOM);
	CHECK_INT(keymap_lookup(&km, 'j'), ACT_DOWN);
	CHECK_INT(keymap_lookup(&km, 4), ACT_HALF_DOWN); /* C-d */
}

static void fixture_ui(struct fixture *fx, struct ui *ui, struct grid *g)
{
	char err[512];

	if (load_fixture("drop.events", fx, err, sizeof(err)))
		test_fail(__FILE__, __LINE__, "%s", err);
	ui_init(ui, fx->store, fx->hooks, fx->reasons);
	ui->follow = 0;
	grid_init(g, 80, 24, 0);
	ui_refresh(ui);
	ui_layout(ui, g->w, g->h);
	view_render(ui, g);
}

TEST(tui_mouse_selects_rows_and_panes)
{
	struct fixture fx = { 0 };
	struct ui ui;
	struct grid g;

	fixture_ui(&fx, &ui, &g);
	CHECK_INT(ui.sel_gen, 1);
	/* the third packet row */
	ui_click(&ui, 10, ui.lay.packets.list_y + 2);
	CHECK_INT(ui.sel_gen, 3);
	CHECK_INT(ui.focus, PANE_PACKETS);
	ui_layout(&ui, g.w, g.h);
	view_render(&ui, &g);
	ui_click(&ui, 10, ui.lay.timeline.list_y + 1);
	CHECK_INT(ui.focus, PANE_TIMELINE);
	CHECK_INT(ui.sel_hop, 1);
	ui_click(&ui, 10, ui.lay.funcs.list_y);
	CHECK_INT(ui.focus, PANE_FUNCS);
	grid_fini(&g);
	ui_fini(&ui);
	free_fixture(&fx);
}

TEST(tui_filter_history_and_invalid_never_applied)
{
	struct fixture fx = { 0 };
	struct ui ui;
	struct grid g;
	const char *t;
	int fl;

	fixture_ui(&fx, &ui, &g);
	ui_key(&ui, '\\');
	for (t = "dport 80"; *t; t++)
		ui_key(&ui, *t);
	fl = ui_key(&ui, K_ENTER);
	CHECK(fl & UI_APPLY);
	CHECK_INT(ui.pending.dport, 80);
	ui_applied(&ui, 0);
	CHECK_STR(ui.active, "dport 80");
	ui_key(&ui, '\\');
	ui_key(&ui, 21); /* C-u */
	for (t = "proto udp"; *t; t++)
		ui_key(&ui, *t);
	ui_key(&ui, K_ENTER);
	ui_applied(&ui, 0);
	/* an invalid one: Enter does not apply it, editing goes on */
	ui_key(&ui, '\\');
	ui_key(&ui, 21);
	for (t = "proto xyz"; *t; t++)
		ui_key(&ui, *t);
	CHECK(!ui.edit_valid);
	CHECK_INT(ui.edit_bad, 6);
	fl = ui_key(&ui, K_ENTER);
	CHECK(!(fl & UI_APPLY));
	CHECK_INT(ui.editing, EDIT_FILTER);
	CHECK_STR(ui.active, "proto udp");
	/* history: Up recalls the newest first */
	ui_key(&ui, K_UP);
	CHECK_STR(lineedit_text(ui.edit), "proto udp");
	ui_key(&ui, K_UP);
	CHECK_STR(lineedit_text(ui.edit), "dport 80");
	ui_key(&ui, K_DOWN);
	CHECK_STR(lineedit_text(ui.edit), "proto udp");
	ui_key(&ui, K_ESC);
	CHECK_INT(ui.editing, EDIT_NONE);
	/* a failed map write keeps the previous filter and says so */
	ui_key(&ui, 'c');
	ui_applied(&ui, -EPERM);
	CHECK_STR(ui.active, "proto udp");
	CHECK_HAS(ui.msg, "NOT applied");
	grid_fini(&g);
	ui_fini(&ui);
	free_fixture(&fx);
}

TEST(tui_step_hops_and_follow)
{
	struct fixture fx = { 0 };
	struct ui ui;
	struct grid g;

	fixture_ui(&fx, &ui, &g);
	ui.follow = 1;
	ui_refresh(&ui);
	CHECK_INT(ui.sel_gen, 3); /* follow: the newest */
	ui_key(&ui, ']');
	CHECK_INT(ui.focus, PANE_TIMELINE);
	CHECK_INT(ui.sel_hop, 1);
	CHECK_INT(ui.follow, 0); /* stepping stops following */
	ui_key(&ui, ']');
	ui_key(&ui, ']');
	CHECK_INT(ui.sel_hop, 2); /* the last hop */
	ui_key(&ui, '[');
	CHECK_INT(ui.sel_hop, 1);
	ui_key(&ui, ' ');
	CHECK_INT(ui.paused, 1);
	grid_fini(&g);
	ui_fini(&ui);
	free_fixture(&fx);
}

/* A source for tui_take_event: answers with what it is told, counting. */
struct fake_src {
	int asked;
	int ret;
	enum explain_kind kind;
};

static int fake_explain(void *ctx, const struct skbs_event *ev,
			const char *tail, struct explain *out)
{
	struct fake_src *f = ctx;

	(void)tail;
	f->asked++;
	if (f->kind != EXPLAIN_NONE)
		explain_set(out, f->kind, "answer for gen %u", ev->gen);
	return f->ret;
}

/* Drops, and only drops, are explained, once each as they arrive; what
 * says nothing is not kept, what says something is, error or not. */
TEST(tui_take_event_explains_each_drop_once)
{
	struct fake_src f = { .kind = EXPLAIN_NFT_RULE };
	struct tui_source src = { .ctx = &f, .explain = fake_explain };
	struct skbs_event ev = { 0 };
	struct store *st;
	const struct explain *e;

	store_new(100, &st);
	ev.rec_type = SKBS_REC_EVENT;
	ev.stack_id = -1;
	ev.skb = 0x1000;
	ev.gen = 1;
	ev.ts = 1;
	CHECK_INT(tui_take_event(st, &src, &ev, NULL), 0);
	CHECK_INT(f.asked, 0);
	ev.ts = 2;
	ev.flags = SKBS_EV_DROP | SKBS_EV_FREE;
	CHECK_INT(tui_take_event(st, &src, &ev, NULL), 0);
	CHECK_INT(f.asked, 1);
	e = store_explain(st, store_packet(st, 0));
	CHECK(e != NULL);
	CHECK_INT(e->kind, EXPLAIN_NFT_RULE);
	CHECK_STR(e->text, "answer for gen 1");
	/* Nothing known: nothing kept. */
	f.kind = EXPLAIN_NONE;
	ev.skb = 0x2000;
	ev.gen = 2;
	CHECK_INT(tui_take_event(st, &src, &ev, NULL), 0);
	CHECK_INT(f.asked, 2);
	CHECK(store_explain(st, store_packet(st, 1)) == NULL);
	/* The reason's sentence with an error (explain_kernel's fallback):
	 * kept. */
	f.kind = EXPLAIN_REASON;
	f.ret = -EOPNOTSUPP;
	ev.skb = 0x3000;
	ev.gen = 3;
	CHECK_INT(tui_take_event(st, &src, &ev, NULL), 0);
	e = store_explain(st, store_packet(st, 2));
	CHECK(e != NULL && e->kind == EXPLAIN_REASON);
	/* No explain at all: events are still stored. */
	src.explain = NULL;
	ev.skb = 0x4000;
	ev.gen = 4;
	CHECK_INT(tui_take_event(st, &src, &ev, NULL), 0);
	CHECK_INT(f.asked, 3);
	CHECK_INT(store_count(st), 4);
	store_free(st);
}

/* A fixture line the loader does not know fails, naming file and line. */
TEST(tui_fixture_rejects_bad_lines)
{
	static const struct {
		const char *text, *err;
	} bad[] = {
		{ "hook tp skb kfree_skb\nbogus 1\n",
		  "f.events:2: unknown line" },
		{ "hook xx skb kfree_skb\n", "f.events:1: expected hook" },
		{ "hook tp skb kfree_skb extra\n",
		  "f.events:1: expected hook" },
		{ "reason 3\n", "f.events:1: expected reason" },
		{ "ev skb=1 gen=1 colour=red\n",
		  "f.events:1: unknown key 'colour'" },
		{ "ev skb=1 gen=1 flags=tuple,dorp\n",
		  "f.events:1: unknown flag 'dorp'" },
		{ "ev skb=1 gen=1 junk\n", "'junk' is not KEY=VALUE" },
		{ "ev skb=1 gen=1 ts=1\nwhy 1 nft-rule text\n",
		  "f.events:2: gen 1 is not a drop" },
		{ "ev skb=1 gen=1 ts=1 flags=drop\nwhy 1 nft-rules text\n",
		  "f.events:2: unknown kind 'nft-rules'" },
		{ "ev skb=1 gen=1 ts=1 flags=drop\nwhy 1 none text\n",
		  "unknown kind 'none'" },
		{ "ev skb=1 gen=1 ts=1 flags=drop\nwhy 1 pending\n",
		  "f.events:2: expected why GEN KIND TEXT" },
		{ "ev skb=1 gen=1 ts=1 flags=drop\nfield 1 table filter\n",
		  "f.events:2: field of gen 1, not after its why" },
		{ "ev skb=1 gen=1 ts=1 flags=drop\nev skb=2 gen=2 ts=2 "
		  "flags=drop\nwhy 1 pending p\nfield 2 table filter\n",
		  "f.events:4: field of gen 2" },
		{ "ev skb=1 gen=1 ts=1 flags=drop\nwhy 1 pending p\n"
		  "field 1 averyveryverylongkey x\n",
		  "key or value too long" },
	};
	char text[512], err[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fixture fx = { 0 };

		snprintf(text, sizeof(text), "%s", bad[i].text);
		err[0] = '\0';
		CHECK_INT(load_fixture_from("f.events", text, &fx, err,
					    sizeof(err)),
			  -EINVAL);
		CHECK_HAS(err, bad[i].err);
		free_fixture(&fx);
	}
	/* Thirteen fields are one too many. */
	{
		struct fixture fx = { 0 };
		char *p = text;

		p += sprintf(p, "ev skb=1 gen=1 ts=1 flags=drop\nwhy 1 "
				"route r\n");
		for (int k = 0; k <= EXPLAIN_FIELDS; k++)
			p += sprintf(p, "field 1 k%d v\n", k);
		CHECK_INT(load_fixture_from("f.events", text, &fx, err,
					    sizeof(err)),
			  -EINVAL);
		CHECK_HAS(err, "f.events:15: more than 12 fields");
		free_fixture(&fx);
	}
	/* Comments, blank lines and a good why with fields load. */
	{
		struct fixture fx = { 0 };
		const struct explain *e;

		snprintf(text, sizeof(text),
			 "# c\n\n   \nev skb=1 gen=1 ts=1 flags=drop\n"
			 "why 1 nft-policy dropped by the policy\n"
			 "field 1 chain INPUT\nexplain-note n\n");
		CHECK_INT(load_fixture_from("f.events", text, &fx, err,
					    sizeof(err)),
			  0);
		e = store_explain(fx.store, store_packet(fx.store, 0));
		CHECK(e != NULL);
		CHECK_INT(e->kind, EXPLAIN_NFT_POLICY);
		CHECK_STR(e->text, "dropped by the policy");
		CHECK_STR(explain_get(e, "chain"), "INPUT");
		CHECK_STR(fx.note, "n");
		free_fixture(&fx);
	}
}

TEST(tui_why_brief_and_kind)
{
	struct explain e = { 0 };
	char buf[128];

	explain_set(&e, EXPLAIN_NFT_RULE,
		    "rejected by rule 7 of inet fw in: "
		    "tcp dport 22 reject");
	/* Without the fields it names, the head of the sentence. */
	CHECK_STR(fmt_why_brief(&e, buf, sizeof(buf)),
		  "rejected by rule 7 of inet fw in");
	explain_add(&e, "family", "inet");
	explain_add(&e, "table", "fw");
	explain_add(&e, "chain", "in");
	explain_add(&e, "handle", "7");
	CHECK_STR(fmt_why_brief(&e, buf, sizeof(buf)), "rule 7 of inet fw in");
	CHECK_STR(fmt_why_kind(&e), "netfilter rule");
	e.kind = EXPLAIN_NFT_POLICY;
	CHECK_STR(fmt_why_brief(&e, buf, sizeof(buf)), "policy of inet fw in");
	e.kind = EXPLAIN_PENDING;
	CHECK_STR(fmt_why_brief(&e, buf, sizeof(buf)),
		  "watching for the next one");
	CHECK_HAS(fmt_why_kind(&e), "watching for the next one");
	explain_set(&e, EXPLAIN_NO_SOCKET,
		    "nothing listens on udp 10.0.0.2:53 in netns b; "
		    "udp 10.0.0.2:54 is bound by x: pid 1");
	CHECK_STR(fmt_why_brief(&e, buf, sizeof(buf)),
		  "nothing listens on udp 10.0.0.2:53 in netns b");
	explain_set(&e, EXPLAIN_ROUTE, "no route to 10.9.9.9");
	CHECK_STR(fmt_why_brief(&e, buf, sizeof(buf)), "no route to 10.9.9.9");
	/* Cut to the buffer, never past it. */
	CHECK_STR(fmt_why_brief(&e, buf, 6), "no ro");
	/* A tc program's drop (--filter-trace-tc). Every kind has its
	 * entry: a missing one crashed the explorer's timeline. */
	memset(&e, 0, sizeof(e));
	explain_set(&e, EXPLAIN_BPF_PROG,
		    "dropped by tc BPF program tc_drop_udp (id 4): it "
		    "returned TC_ACT_SHOT");
	explain_add(&e, "program", "tc_drop_udp");
	explain_add(&e, "prog_id", "4");
	explain_add(&e, "verdict", "TC_ACT_SHOT");
	CHECK_STR(fmt_why_brief(&e, buf, sizeof(buf)),
		  "tc program tc_drop_udp#4: TC_ACT_SHOT");
	CHECK_STR(fmt_why_kind(&e), "tc BPF program");
	for (int k = 0; k < EXPLAIN_KIND_MAX; k++) {
		e.kind = (enum explain_kind)k;
		CHECK(fmt_why_kind(&e) != NULL);
		CHECK(fmt_why_brief(&e, buf, sizeof(buf)) == buf);
	}
	explain_set(&e, EXPLAIN_ROUTE, "no route to 10.9.9.9");
	e.kind = (enum explain_kind)99;
	CHECK_STR(fmt_why_kind(&e), "nothing known");
	CHECK_STR(fmt_why_brief(&e, buf, sizeof(buf)), "no route to 10.9.9.9");
}

static char *render(struct ui *ui, int w, int h)
{
	struct grid g;
	char *dump;

	grid_init(&g, w, h, 0);
	ui_refresh(ui);
	ui_layout(ui, w, h);
	view_render(ui, &g);
	dump = grid_dump(&g);
	grid_fini(&g);
	return dump;
}

/* The first line of dump, or its second: a copy. */
static void dump_line(const char *dump, int n, char *buf, size_t len)
{
	const char *p = dump;

	while (n-- && p)
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
	snprintf(buf, len, "%.*s", p ? (int)strcspn(p, "\n") : 0, p ? p : "");
}

/* The note goes where there is room and never takes the counts' place. */
TEST(tui_explain_note_keeps_the_counts)
{
	struct fixture fx = { 0 };
	struct ui ui;
	struct grid g;
	char l0[256], l1[256], *d;
	static const char longnote[] =
		"nft trace in netns alpha, beta, gamma, delta, epsilon, zeta, "
		"eta, theta, iota, kappa, lambda, mu, nu, xi, omicron, pi";

	fixture_ui(&fx, &ui, &g);
	ui.st.backend = "tracepoint";
	ui.st.attached = 30;
	ui.st.events_per_s = 10;
	ui.st.received = 10;
	/* 80 columns: no room on the status line; the filter bar has it. */
	snprintf(ui.st.explain_note, sizeof(ui.st.explain_note), "%s",
		 "nft trace in netns a, b");
	d = render(&ui, 80, 24);
	dump_line(d, 0, l0, sizeof(l0));
	dump_line(d, 1, l1, sizeof(l1));
	CHECK_HAS(l0, "recv 10 lost 0 | skbs 3");
	CHECK_HAS(l0, "LIVE");
	CHECK(!strstr(l0, "nft trace"));
	CHECK_HAS(l1, "Filter: none");
	CHECK_HAS(l1, "nft trace in netns a, b");
	free(d);
	/* A prompt open: not on the bar, and no room left above it. */
	ui_key(&ui, '\\');
	d = render(&ui, 80, 24);
	CHECK(!strstr(d, "nft trace"));
	dump_line(d, 0, l0, sizeof(l0));
	CHECK_HAS(l0, "recv 10 lost 0 | skbs 3");
	free(d);
	/* Wide: whole on the status line, after the counts. */
	d = render(&ui, 132, 43);
	dump_line(d, 0, l0, sizeof(l0));
	CHECK_HAS(l0, "recv 10 lost 0 | skbs 3 | nft trace in netns a, b");
	CHECK_HAS(l0, "LIVE");
	free(d);
	ui_key(&ui, K_ESC);
	/* Too long for the status line: cut on the bar, the counts kept. */
	snprintf(ui.st.explain_note, sizeof(ui.st.explain_note), "%s",
		 longnote);
	d = render(&ui, 132, 43);
	dump_line(d, 0, l0, sizeof(l0));
	dump_line(d, 1, l1, sizeof(l1));
	CHECK(!strstr(l0, "nft trace"));
	CHECK_HAS(l0, "LIVE");
	CHECK_HAS(l1, "Filter: none   nft trace in netns alpha");
	CHECK_INT((int)strlen(l1), 132);
	free(d);
	/* A prompt open on a wide screen: cut on the status line instead,
	 * the label still there. */
	ui_key(&ui, '\\');
	d = render(&ui, 132, 43);
	dump_line(d, 0, l0, sizeof(l0));
	CHECK_HAS(l0, "skbs 3 | nft trace in netns alpha");
	CHECK_HAS(l0, " LIVE");
	free(d);
	grid_fini(&g);
	ui_fini(&ui);
	free_fixture(&fx);
}

/* The Why section wraps a word longer than the overlay inside it, counts
 * UTF-8 characters as grid_put does, and shows the reason's meaning
 * when that is all the source said; no Why without an explanation. */
TEST(tui_detail_why_wraps_and_reason_only)
{
	struct fixture fx = { 0 };
	struct explain e = { 0 };
	struct ui ui;
	struct grid g;
	char word[161], *d;

	fixture_ui(&fx, &ui, &g);
	d = render(&ui, 80, 24);
	CHECK(!strstr(d, "Why"));
	free(d);
	for (int i = 0; i < 160; i++)
		word[i] = (char)('a' + i % 26);
	word[160] = '\0';
	explain_set(&e, EXPLAIN_ROUTE, "caf\xc3\xa9 %s end", word);
	explain_add(&e, "dst", "10.0.0.9");
	store_set_explain(fx.store, 1, &e);
	ui_key(&ui, K_ENTER);
	d = render(&ui, 80, 24);
	CHECK_HAS(d, "Why (route lookup)");
	/* The word on lines of its own, 68 letters each (the text is
	 * indented by 2 in 70 columns), cut inside only because it must. */
	CHECK_HAS(d, "|   caf\xc3\xa9   ");
	CHECK_HAS(d, "|   abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
		     "abcdefghijklmnop |");
	CHECK_HAS(d, "|   qrstuvwxyz");
	CHECK_HAS(d, "dst: 10.0.0.9");
	free(d);
	explain_set(&e, EXPLAIN_REASON, "netfilter dropped the packet");
	e.nfields = 0;
	store_set_explain(fx.store, 1, &e);
	d = render(&ui, 80, 24);
	CHECK_HAS(d, "Why (what the drop reason means)");
	CHECK_HAS(d, "netfilter dropped the packet");
	free(d);
	grid_fini(&g);
	ui_fini(&ui);
	free_fixture(&fx);
}

/* At 80 columns the drops list keeps a whole 42-column IPv4 tuple (the
 * packet list cuts it at 38) and still has room for the why's brief. */
TEST(tui_drops_list_narrow_keeps_tuple_and_why)
{
	struct fixture fx = { 0 };
	struct ui ui;
	char text[1024], err[512], *d;

	snprintf(text, sizeof(text),
		 "hook tp skb kfree_skb\n"
		 "reason 12 SKB_DROP_REASON_NETFILTER_DROP\n"
		 "ev skb=0x1 gen=1 hook=0 ts=1 netns=5 len=41 proto=17 "
		 "src=10.217.202.1 dst=10.217.202.2 sport=41001 dport=7001 "
		 "flags=tuple,drop,free,reason reason=12\n"
		 "why 1 nft-rule dropped by rule 2 of ip filter OUTPUT: ip "
		 "daddr 10.217.202.2 udp dport 7001 counter drop\n"
		 "field 1 family ip\nfield 1 table filter\n"
		 "field 1 chain OUTPUT\nfield 1 handle 2\n");
	CHECK_INT(load_fixture_from("n.events", text, &fx, err, sizeof(err)),
		  0);
	ui_init(&ui, fx.store, fx.hooks, fx.reasons);
	ui.follow = 0;
	ui_key(&ui, 'd');
	d = render(&ui, 80, 24);
	CHECK_HAS(d, "|  TUPLE                                      WHY");
	CHECK_HAS(d, "|> 10.217.202.1:41001->10.217.202.2:7001(udp) rule 2 of "
		     "ip filter OUTPUT ");
	free(d);
	ui_fini(&ui);
	free_fixture(&fx);
}

/* An IPv4 event of lifetime gen at hook, built here rather than read
 * from a fixture: what each test needs is in the test. */
static void add_ev4(struct store *st, __u32 gen, __u32 hook, __u64 ts,
		    __u8 proto, const char *src, __u16 sport, const char *dst,
		    __u16 dport)
{
	struct skbs_event ev = { 0 };

	ev.rec_type = SKBS_REC_EVENT;
	ev.stack_id = -1;
	ev.skb = 0xffff888000001000ULL + gen * 0x100;
	ev.gen = gen;
	ev.hook = hook;
	ev.ts = ts;
	ev.netns = 4026531840u;
	ev.len = 60;
	ev.l3_proto = 0x0800;
	ev.l4_proto = proto;
	ev.flags = SKBS_EV_TUPLE;
	inet_pton(AF_INET, src, ev.saddr);
	inet_pton(AF_INET, dst, ev.daddr);
	ev.sport = sport;
	ev.dport = dport;
	CHECK_INT(store_add(st, &ev, NULL), 0);
}

/* Row y of a dump whose text has s in it, or -1. */
static int dump_row_of(const char *dump, const char *s)
{
	const char *hit = strstr(dump, s);
	int y = 0;

	if (!hit)
		return -1;
	for (const char *p = dump; p < hit; p++)
		y += *p == '\n';
	return y;
}

/* Column of s in its row of an ASCII dump, or -1. */
static int dump_col_of(const char *dump, const char *s)
{
	const char *hit = strstr(dump, s), *p = hit;

	if (!hit)
		return -1;
	while (p > dump && p[-1] != '\n')
		p--;
	return (int)(hit - p);
}

/*
 * A packet's row shows its real tuple: on kprobe kernels a UDP datagram's
 * first hop is udp_send_skb, before the ports are written, and its row
 * must not read :0->:0; a later rewrite (DNAT) is marked on the row and,
 * as before, on the timeline's hop, but ports being filled in are no
 * rewrite.
 */
TEST(tui_row_tuple_first_complete_and_nat_marked)
{
	struct fixture fx = { 0 };
	struct ui ui;
	struct grid g;
	char text[256], err[256], *d;
	int y, x;

	snprintf(text, sizeof(text),
		 "hook fn - udp_send_skb\nhook fn - ip_send_skb\n"
		 "hook fn - ip_output\nhook fn - nf_hook_slow\n");
	CHECK_INT(load_fixture_from("t.events", text, &fx, err, sizeof(err)),
		  0);
	/* 1: ports written after the first hop. */
	add_ev4(fx.store, 1, 0, 1000, 17, "127.0.0.1", 0, "127.0.0.1", 0);
	add_ev4(fx.store, 1, 1, 2000, 17, "127.0.0.1", 5353, "127.0.0.1", 53);
	add_ev4(fx.store, 1, 2, 3000, 17, "127.0.0.1", 5353, "127.0.0.1", 53);
	/* 2: the same, then DNAT to 10.0.0.9:8080. */
	add_ev4(fx.store, 2, 0, 4000, 17, "10.0.0.1", 0, "10.0.0.2", 0);
	add_ev4(fx.store, 2, 2, 5000, 17, "10.0.0.1", 40000, "10.0.0.2", 80);
	add_ev4(fx.store, 2, 3, 6000, 17, "10.0.0.1", 40000, "10.0.0.9", 8080);
	/* 3: never complete: the tuple there is. */
	add_ev4(fx.store, 3, 0, 7000, 17, "10.0.0.1", 0, "10.0.0.3", 0);
	/* 4: ICMP has no ports and is complete at once. */
	add_ev4(fx.store, 4, 2, 8000, 1, "10.0.0.1", 8, "10.0.0.4", 0);
	ui_init(&ui, fx.store, fx.hooks, fx.reasons);
	ui.follow = 0;
	ui.color = 0;
	grid_init(&g, 132, 43, 0);
	ui_refresh(&ui);
	ui_layout(&ui, g.w, g.h);
	view_render(&ui, &g);
	d = grid_dump(&g);
	CHECK_HAS(d, "127.0.0.1:5353->127.0.0.1:53(udp) ");
	CHECK(!strstr(d, "127.0.0.1:0->127.0.0.1:0"));
	CHECK(!strstr(d, "127.0.0.1:5353->127.0.0.1:53(udp) NAT"));
	CHECK_HAS(d, "10.0.0.1:40000->10.0.0.2:80(udp) NAT");
	CHECK_HAS(d, "10.0.0.1:0->10.0.0.3:0(udp) ");
	CHECK(!strstr(d, "10.0.0.3:0(udp) NAT"));
	CHECK_HAS(d, "10.0.0.1->10.0.0.4(icmp 8/0) ");
	/* The mark stands out as the timeline's changed fields do. */
	y = dump_row_of(d, "10.0.0.2:80(udp) NAT");
	x = dump_col_of(d, "10.0.0.2:80(udp) NAT") +
	    (int)strlen("10.0.0.2:80(udp) ");
	CHECK(y > 0);
	CHECK_INT(g.c[y * g.w + x].attr & 0xff, R_CHANGED);
	CHECK_INT(g.c[y * g.w + x - 2].attr & 0xff, R_NORMAL);
	free(d);
	/* The timeline of 1 marks no hop; that of 2 its third (at 80
	 * columns as a line of its own). */
	grid_fini(&g);
	grid_init(&g, 80, 24, 0);
	d = render(&ui, 80, 24);
	CHECK(!strstr(d, "tuple now"));
	free(d);
	ui_key(&ui, K_DOWN);
	d = render(&ui, 80, 24);
	CHECK_HAS(d, "Timeline: skb 0xffff888000001200 gen 2");
	CHECK_HAS(d, "tuple now 10.0.0.1:40000->10.0.0.9:8080(udp)");
	CHECK_INT(dump_row_of(d, "tuple now"),
		  dump_row_of(d, " 3 nf_hook_slow") + 1);
	free(d);
	grid_fini(&g);
	ui_fini(&ui);
	free_fixture(&fx);
}

/*
 * Columns are as wide as what they show: kprobe function names whole on
 * the timeline and in the functions pane (they were cut at 26 and 28),
 * the packet list's tuple as wide as the widest tuple (it had 90 columns
 * at 160), and the timeline's tuple column once the widest one fits.
 */
TEST(tui_columns_sized_to_content)
{
	struct fixture fx = { 0 };
	struct ui ui;
	char text[256], err[256], *d;
	int col;

	snprintf(text, sizeof(text),
		 "hook fn - ip_route_output_key_hash_rcu\n"
		 "hook fn - __netif_receive_skb_one_core\n"
		 "hook fn - ip_output\n");
	CHECK_INT(load_fixture_from("w.events", text, &fx, err, sizeof(err)),
		  0);
	add_ev4(fx.store, 1, 0, 1000, 17, "10.0.0.1", 1000, "10.0.0.2", 2000);
	add_ev4(fx.store, 1, 2, 2000, 17, "10.0.0.1", 1000, "10.0.0.2", 2000);
	add_ev4(fx.store, 1, 1, 3000, 17, "10.0.0.1", 1000, "10.0.0.2", 2000);
	ui_init(&ui, fx.store, fx.hooks, fx.reasons);
	ui.follow = 0;
	d = render(&ui, 160, 50);
	CHECK_HAS(d, " 1 ip_route_output_key_hash_rcu ");
	CHECK_HAS(d, " 3 __netif_receive_skb_one_core ");
	CHECK_HAS(d, "|__netif_receive_skb_one_core ");
	CHECK_HAS(d, "|ip_route_output_key_hash_rcu ");
	/* The tuple, one space, the netns; the header over it. */
	CHECK_HAS(d, "> 0.000000 10.0.0.1:1000->10.0.0.2:2000(udp) ns ");
	col = dump_col_of(d, "10.0.0.1:1000->");
	CHECK_INT(dump_col_of(d, "TUPLE"), col);
	CHECK_INT(dump_col_of(d, "IFACE/NETNS"),
		  col + (int)strlen("10.0.0.1:1000->10.0.0.2:2000(udp) "));
	/* 160 columns: no room for the whole tuple next to the names. */
	CHECK(!strstr(d, "MARK   TUPLE"));
	free(d);
	/* 200: room, and it is whole. */
	d = render(&ui, 200, 50);
	CHECK_HAS(d, " MARK   TUPLE");
	CHECK_HAS(d, " 0x0    10.0.0.1:1000->10.0.0.2:2000(udp)");
	free(d);
	/* 80: the names still whole on the timeline. */
	d = render(&ui, 80, 24);
	CHECK_HAS(d, " 1 ip_route_output_key_hash_rcu ");
	free(d);
	ui_fini(&ui);
	free_fixture(&fx);
}

/* The dump without its status line (which counts while paused). */
static const char *below_status(const char *dump)
{
	const char *nl = strchr(dump, '\n');

	return nl ? nl + 1 : dump;
}

/*
 * A pause holds the display, not the capture: what arrives goes into the
 * store, the screen stays as it was (rows, selection, scroll, timeline,
 * counts), the status line says how much came, and on resume all of it
 * is there.
 */
TEST(tui_pause_holds_the_view_not_the_events)
{
	struct fixture fx = { 0 };
	struct tui_source src = { 0 };
	struct skbs_event ev = { 0 };
	struct ui ui;
	struct grid g;
	char err[512], *before, *d;
	__u32 sel;

	CHECK_INT(load_fixture("drop.events", &fx, err, sizeof(err)), 0);
	/* In flight when paused: one hop now, its drop later. */
	ev.rec_type = SKBS_REC_EVENT;
	ev.stack_id = -1;
	ev.skb = 0xffff888012349000ULL;
	ev.gen = 4;
	ev.hook = 5;
	ev.ts = 4000000;
	ev.l3_proto = 0x0800;
	CHECK_INT(tui_take_event(fx.store, &src, &ev, NULL), 0);
	ui_init(&ui, fx.store, fx.hooks, fx.reasons);
	ui.color = 0;
	ui.follow = 1;
	ui.st.backend = "tracepoint";
	ui.st.attached = 30;
	ui.st.events_per_s = 10;
	grid_init(&g, 132, 43, 0);
	free(render(&ui, 132, 43));
	CHECK_INT(ui.sel_gen, 4);
	ui_key(&ui, K_UP); /* the packet list: select gen 3 */
	CHECK_INT(ui.sel_gen, 3);
	ui_key(&ui, 'f'); /* follow again: paused, it must not move */
	ui_key(&ui, ' ');
	CHECK_INT(ui.paused, 1);
	before = render(&ui, 132, 43);
	CHECK_HAS(before, "PAUSED, 0 events since");
	sel = ui.sel_gen;
	/* Meanwhile: gen 4 is dropped, gen 5 and 6 come. */
	ev.hook = 2;
	ev.ts = 4100000;
	ev.flags = SKBS_EV_DROP | SKBS_EV_FREE | SKBS_EV_REASON;
	ev.drop_reason = 12;
	CHECK_INT(tui_take_event(fx.store, &src, &ev, NULL), 0);
	ev.flags = 0;
	ev.hook = 5;
	for (__u32 gen = 5; gen <= 6; gen++) {
		ev.skb += 0x100;
		ev.gen = gen;
		ev.ts += 100000;
		CHECK_INT(tui_take_event(fx.store, &src, &ev, NULL), 0);
	}
	CHECK_INT(store_count(fx.store), 6);
	d = render(&ui, 132, 43);
	CHECK_HAS(d, "PAUSED, 3 events since");
	CHECK_STR(below_status(d), below_status(before));
	CHECK_INT(ui.sel_gen, sel);
	CHECK_INT(ui.list_top, 0);
	free(d);
	/* At 80 columns the count is still there, in short. */
	d = render(&ui, 80, 24);
	CHECK_HAS(d, "PAUSED +3");
	free(d);
	/* Drops only, still paused: not the drop that came since. */
	ui_key(&ui, 'd');
	d = render(&ui, 132, 43);
	CHECK_INT(ui.norder, 2);
	free(d);
	ui_key(&ui, 'd');
	/* Resumed: everything that came is there, and follow goes on. */
	ui_key(&ui, ' ');
	CHECK_INT(ui.paused, 0);
	d = render(&ui, 132, 43);
	CHECK_INT(ui.norder, 6);
	CHECK_INT(ui.sel_gen, 6);
	CHECK_HAS(d, " LIVE follow");
	CHECK_HAS(d, "4 skb:kfree_skb");
	CHECK_HAS(d, "  2 skb:kfree_skb");
	free(d);
	free(before);
	grid_fini(&g);
	ui_fini(&ui);
	free_fixture(&fx);
}

static int paste(struct ui *ui, const char *text)
{
	int fl = ui_key(ui, K_PASTE_START);

	for (const char *p = text; *p; p++)
		fl |= ui_key(ui, *p == '\n' ? K_ENTER :
				 *p == '\t' ? K_TAB :
					      *p);
	return fl | ui_key(ui, K_PASTE_END);
}

/*
 * A paste is text: into the prompt, a newline in it a space and no Enter,
 * no key binding firing inside it, and with no prompt open it goes
 * nowhere; a line longer than the bar's limit is cut, and the bar says so
 * (typed or pasted), where a long line cannot push it out of sight.
 */
TEST(tui_paste_is_text_and_cut_is_said)
{
	struct fixture fx = { 0 };
	struct ui ui;
	struct grid g;
	static char big[EDIT_MAX + 100];
	char *d;
	int fl;

	fixture_ui(&fx, &ui, &g);
	/* No prompt: nothing fires ('d' drops, 'q' quits, 'c' clears). */
	fl = paste(&ui, "dqc f s");
	CHECK(!(fl & (UI_QUIT | UI_APPLY)));
	CHECK_INT(ui.drops_only, 0);
	CHECK_INT(ui.editing, EDIT_NONE);
	CHECK_HAS(ui.msg, "paste of 7 characters ignored");
	/* Into the filter bar, over two lines, with an Esc-free end. */
	ui_key(&ui, '\\');
	ui_key(&ui, 21); /* C-u */
	fl = paste(&ui, "dst 10.0.0.2\nand dport 80\tand proto udp\n");
	CHECK(!(fl & UI_APPLY));
	CHECK_INT(ui.editing, EDIT_FILTER);
	CHECK_STR(lineedit_text(ui.edit),
		  "dst 10.0.0.2 and dport 80 and proto udp ");
	CHECK(ui.edit_valid);
	fl = ui_key(&ui, K_ENTER);
	CHECK(fl & UI_APPLY);
	CHECK_INT(ui.pending.dport, 80);
	ui_applied(&ui, 0);
	/* Longer than the limit: cut to it, and said at 80 columns. */
	ui_key(&ui, '\\');
	ui_key(&ui, 21);
	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "pcap ", 5);
	paste(&ui, big);
	CHECK_INT((int)strlen(lineedit_text(ui.edit)), EDIT_MAX - 1);
	CHECK_INT(ui.edit_cut, 1);
	d = render(&ui, 80, 24);
	CHECK_HAS(d, " cut to 1279 characters");
	/* The line's end (the cursor) in view, its start scrolled off. */
	CHECK_HAS(d, "Filter> <aaaa");
	free(d);
	/* Typing at the limit says it too; making room clears it. */
	ui_key(&ui, K_BACKSPACE);
	CHECK_INT(ui.edit_cut, 0);
	ui_key(&ui, 'x');
	CHECK_INT(ui.edit_cut, 0);
	ui_key(&ui, 'y');
	CHECK_INT(ui.edit_cut, 1);
	d = render(&ui, 132, 43);
	CHECK_HAS(d, "ax");
	CHECK_HAS(d, " cut to 1279 characters");
	free(d);
	/* An Esc ends a paste whose end never came; bindings work again. */
	ui_key(&ui, K_ESC);
	ui_key(&ui, K_PASTE_START);
	ui_key(&ui, 'd');
	CHECK_INT(ui.drops_only, 0);
	ui_key(&ui, K_ESC);
	ui_key(&ui, 'd');
	CHECK_INT(ui.drops_only, 1);
	grid_fini(&g);
	ui_fini(&ui);
	free_fixture(&fx);
}

/* m in the function pane asks to mute the selected function; what the
 * kernel says decides: muted (dim, counted on the status line), or an
 * inline message naming why not. */
TEST(tui_mute_a_function)
{
	struct fixture fx = { 0 };
	struct ui ui;
	struct grid g;
	char why[256], *dump;
	__u32 hk;
	int fl;

	CHECK_INT(load_fixture("drop.events", &fx, why, sizeof(why)), 0);
	CHECK_INT(ui_init(&ui, fx.store, fx.hooks, fx.reasons), 0);
	ui.st.attached = 6;
	ui_refresh(&ui);
	ui_layout(&ui, 132, 43);
	/* Not in the function pane: nothing asked, a message. */
	fl = ui_key(&ui, 'm');
	CHECK(!(fl & UI_MUTE));
	CHECK_HAS(ui.msg, "function pane");
	ui_key(&ui, key_parse("Tab"));
	ui_key(&ui, key_parse("Tab"));
	fl = ui_key(&ui, 'm');
	CHECK(fl & UI_MUTE);
	hk = ui.mute_hook;
	ui_set_muted(&ui, hk, 0);
	CHECK(ui_is_muted(&ui, hk));
	CHECK_HAS(ui.msg, "muted");
	CHECK_INT(grid_init(&g, 132, 43, 1), 0);
	ui_layout(&ui, 132, 43);
	view_render(&ui, &g);
	dump = grid_dump(&g);
	CHECK_HAS(dump, "5 hooks (1 muted)");
	CHECK_HAS(dump, " muted");
	free(dump);
	/* Again: unmuted. A refusal leaves it as it was and says why. */
	ui_set_muted(&ui, hk, 0);
	CHECK(!ui_is_muted(&ui, hk));
	ui_set_muted(&ui, hk, -EOPNOTSUPP);
	CHECK(!ui_is_muted(&ui, hk));
	CHECK_HAS(ui.msg, "attach cookies");
	grid_fini(&g);
	ui_fini(&ui);
	free_fixture(&fx);
}

/* Sorted by BPF cost, the function pane ranks by the source's figures,
 * shows them as a share of a CPU, and lists a function whose every hit the
 * filter rejected (no packet kept) when it is what costs; without figures
 * (a replay) the sort key skips the cost order. */
TEST(tui_functions_by_bpf_cost)
{
	struct fixture fx = { 0 };
	double *rate;
	struct ui ui;
	struct grid g;
	char why[256], *dump, *a, *b, name[160];
	size_t nh;
	int rows;

	CHECK_INT(load_fixture("drop.events", &fx, why, sizeof(why)), 0);
	CHECK_INT(ui_init(&ui, fx.store, fx.hooks, fx.reasons), 0);
	nh = hooks_count(fx.hooks);
	CHECK(nh >= 3);
	ui_refresh(&ui);
	ui_layout(&ui, 132, 43);
	ui_key(&ui, key_parse("Tab"));
	ui_key(&ui, key_parse("Tab"));
	CHECK(ui.focus == PANE_FUNCS);
	/* No figures: hits, name, time, then back to hits. */
	for (int i = 0; i < FSORT_COUNT - 1; i++)
		ui_key(&ui, key_parse("F6"));
	CHECK_INT(ui.funcs_sort, FSORT_HITS);
	rows = (int)ui.nfn;

	rate = calloc(nh, sizeof(*rate));
	CHECK(rate != NULL);
	/* The last hook: 25% of a CPU; the first 0.05%. */
	rate[nh - 1] = 2.5e8;
	rate[0] = 5e5;
	ui.hook_bpf = rate;
	ui.nhook_bpf = nh;
	ui.bpf_estimated = 1;
	for (int i = 0; i < FSORT_COST; i++)
		ui_key(&ui, key_parse("F6"));
	CHECK_INT(ui.funcs_sort, FSORT_COST);
	ui_refresh(&ui);
	ui_layout(&ui, 132, 43);
	CHECK(ui.nfn >= 1);
	CHECK_INT(ui.fn[0].hook, (int)nh - 1);
	CHECK(ui.nfn >= (size_t)rows);
	CHECK_INT(grid_init(&g, 132, 43, 1), 0);
	ui_layout(&ui, 132, 43);
	view_render(&ui, &g);
	dump = grid_dump(&g);
	CHECK_HAS(dump, "by BPF cost (est.)");
	CHECK_HAS(dump, " BPF");
	CHECK_HAS(dump, "25.0%");
	CHECK_HAS(dump, "<0.1%");
	/* The costliest first. */
	ui_hook_name(&ui, (__u32)nh - 1, name, sizeof(name));
	a = strstr(dump, "25.0%");
	b = strstr(dump, "<0.1%");
	CHECK(a && b && a < b);
	free(dump);
	grid_fini(&g);
	ui.hook_bpf = NULL;
	free(rate);
	ui_fini(&ui);
	free_fixture(&fx);
}
