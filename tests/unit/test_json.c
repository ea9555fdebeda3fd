// SPDX-License-Identifier: GPL-2.0
/* JSON strings from kernel text: a process can call itself anything. */
#include "core/output_json.h"
#include "test.h"

TEST(json_string_escapes)
{
	char buf[128];

	json_string("plain", 5, buf, sizeof(buf));
	CHECK_STR(buf, "\"plain\"");
	json_string("a\"b\\c", 5, buf, sizeof(buf));
	CHECK_STR(buf, "\"a\\\"b\\\\c\"");
	json_string("t\tn\n\x01", 5, buf, sizeof(buf));
	CHECK_STR(buf, "\"t\\u0009n\\u000a\\u0001\"");
	/* valid UTF-8 passes, a stray byte does not */
	json_string("caf\xc3\xa9 \xff", 7, buf, sizeof(buf));
	CHECK_STR(buf, "\"caf\xc3\xa9 \\u00ff\"");
	/* a sequence cut by the field's end is not UTF-8 */
	json_string("ab\xe2\x82", 4, buf, sizeof(buf));
	CHECK_STR(buf, "\"ab\\u00e2\\u0082\"");
	/* stops at NUL within the field, like a C string */
	json_string("eth0\0junk", 9, buf, sizeof(buf));
	CHECK_STR(buf, "\"eth0\"");
	/* too small a buffer: cut, terminated, the full length returned */
	CHECK_INT(json_string("abcdef", 6, buf, 4), 8);
	CHECK_STR(buf, "\"ab");
}
