/*
 * schema_next_step.h - the test-only schema step of chat-bridge-next
 * (tests/CMakeLists.txt compiles src/shell/store.c with
 * CB_TEST_SCHEMA_STEP naming this file; a release never does). Included
 * at the end of store.c's step list: one expand step after the real
 * ones, so the rolling-upgrade suite (test_upgrade.py) can run bridges of
 * two schema versions side by side without a real future step. Additive:
 * a new table and a new nullable column, which bridges of the version
 * before neither read nor need to write.
 */
	{STEP_ADDITIVE,
	"CREATE TABLE chat_bridge_test_next (id integer PRIMARY KEY);"
	"ALTER TABLE chat_bridge_link ADD COLUMN test_next text;"},
