// SPDX-License-Identifier: GPL-2.0
/* core/hooks: the attach state the tracing session writes. */
#include "core/hooks.h"
#include "test.h"

TEST(trace_hooks_set_state)
{
	struct hooks *h;
	struct hook hk = { .name = "ip_rcv", .kind = HOOK_FUNCTION };
	char longwhy[300];

	CHECK_INT(hooks_new(&h), 0);
	CHECK_INT(hooks_add(h, &hk), 0);
	CHECK_INT(hooks_set_state(h, 0, -22, "bad"), 0);
	CHECK_INT(hooks_get(h, 0)->attached, -22);
	CHECK_STR(hooks_get(h, 0)->why, "bad");
	/* Back to "not tried" clears the reason. */
	CHECK_INT(hooks_set_state(h, 0, 0, NULL), 0);
	CHECK_INT(hooks_get(h, 0)->attached, 0);
	CHECK_STR(hooks_get(h, 0)->why, "");
	/* A reason longer than the field is cut, still NUL-ended. */
	memset(longwhy, 'x', sizeof(longwhy) - 1);
	longwhy[sizeof(longwhy) - 1] = '\0';
	CHECK_INT(hooks_set_state(h, 0, 1, longwhy), 0);
	CHECK_INT(strlen(hooks_get(h, 0)->why), sizeof(hk.why) - 1);
	CHECK_INT(hooks_set_state(h, 1, 1, NULL), -ENOENT);
	CHECK_INT(hooks_set_state(NULL, 0, 1, NULL), -ENOENT);
	hooks_free(h);
}
