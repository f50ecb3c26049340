// test_cmdline.c — the key=value command-line parser (kernel/cmdline.c).
#include "unit.h"
#include "kernel/cmdline.h"

struct vmopt { unsigned long long mem; int mode; };

static bool flag, on;
static unsigned long long num, size;
static int level;
static struct vmopt vms[4];
static const char *const levels[] = { "error", "info", "debug", NULL };
static const char *const modes[] = { "stop", "restart", NULL };

static const struct cmdline_opt opts[] = {
    { .key = "flag", .type = OPT_FLAG, .dest = &flag },
    { .key = "on", .type = OPT_BOOL, .dest = &on },
    { .key = "num", .type = OPT_UINT, .dest = &num },
    { .key = "size", .type = OPT_SIZE, .dest = &size },
    { .key = "log", .type = OPT_ENUM, .dest = &level, .choices = levels },
    { .key = "vm#.mem", .type = OPT_SIZE, .dest = &vms[0].mem, .stride = sizeof(struct vmopt), .max_index = 4 },
    { .key = "vm#.mode", .type = OPT_ENUM, .dest = &vms[0].mode, .choices = modes,
      .stride = sizeof(struct vmopt), .max_index = 4 },
    { .key = NULL },
};

static char err[160];

static void reset(void)
{
    flag = on = false;
    num = size = 0;
    level = 0;
    memset(vms, 0, sizeof vms);
    err[0] = 0;
}

static bool parse(const char *line) { return cmdline_parse(line, opts, err, sizeof err); }

TEST(cmdline_values_stored)
{
    reset();
    CHECK(parse("flag on=yes num=0x1f size=64M log=debug"));
    CHECK(flag && on);
    CHECK_EQ(num, 31);
    CHECK_EQ(size, 64ULL << 20);
    CHECK_EQ(level, 2);
}

TEST(cmdline_qemu_file_name_first_is_skipped)
{
    reset();
    CHECK(parse("build/myrmex.elf num=5"));
    CHECK_EQ(num, 5);
    CHECK(parse("myrmex.elf"));
}

TEST(cmdline_unknown_key_is_named)
{
    reset();
    CHECK(!parse("num=1 bogus=1"));
    CHECK_STR(err, "unknown option 'bogus'");
}

TEST(cmdline_unknown_flag_is_named_even_first)
{
    reset();
    CHECK(!parse("selftset"));
    CHECK(strstr(err, "selftset") != NULL);
}

TEST(cmdline_bad_values_are_named)
{
    reset();
    CHECK(!parse("num=12x"));
    CHECK_STR(err, "option 'num': bad value '12x'");
    CHECK(!parse("on=maybe"));
    CHECK(!parse("log=loud"));
    CHECK(!parse("size=10T"));
    CHECK(!parse("num="));
    CHECK(!parse("num=0x"));
    CHECK(!parse("num=99999999999999999999999"));
}

TEST(cmdline_sizes)
{
    unsigned long long v;
    CHECK(cmdline_parse_size("4096", &v) && v == 4096);
    CHECK(cmdline_parse_size("4k", &v) && v == 4096);
    CHECK(cmdline_parse_size("2G", &v) && v == 2ULL << 30);
    CHECK(!cmdline_parse_size("", &v));
    CHECK(!cmdline_parse_size("M", &v));
    CHECK(!cmdline_parse_size("18446744073709551615G", &v));
}

TEST(cmdline_indexed_keys)
{
    reset();
    CHECK(parse("vm0.mem=64M vm3.mem=1G vm2.mode=restart"));
    CHECK_EQ(vms[0].mem, 64ULL << 20);
    CHECK_EQ(vms[3].mem, 1ULL << 30);
    CHECK_EQ(vms[2].mode, 1);
    CHECK_EQ(vms[1].mem, 0);
}

TEST(cmdline_index_out_of_range)
{
    reset();
    CHECK(!parse("vm4.mem=64M"));
    CHECK(strstr(err, "out of range") != NULL);
    CHECK(!parse("vmx.mem=64M"));
}

TEST(cmdline_find_value)
{
    char v[16];
    CHECK(cmdline_find("a=1 exitport=0xf4 bogus=2", "exitport", v, sizeof v));
    CHECK_STR(v, "0xf4");
    CHECK(!cmdline_find("exitportx=1", "exitport", v, sizeof v));
    CHECK(cmdline_find("exitport=0123456789abcdefghij", "exitport", v, sizeof v));
    CHECK_EQ(strlen(v), sizeof v - 1);
}

TEST(cmdline_long_word_rejected)
{
    char line[400];
    reset();
    memset(line, 'a', sizeof line - 1);
    line[sizeof line - 1] = 0;
    CHECK(!parse(line));
    CHECK(strstr(err, "too long") != NULL);
}

TEST(cmdline_blank_and_tabs)
{
    reset();
    CHECK(parse(""));
    CHECK(parse("   \t  num=7\t flag  "));
    CHECK_EQ(num, 7);
    CHECK(flag);
}

static unsigned long long bounded;
static const struct cmdline_opt bounded_opts[] = {
    { .key = "ram", .type = OPT_SIZE, .dest = &bounded, .min = 4ULL << 20, .max = 3ULL << 30 },
    { .key = NULL },
};

TEST(cmdline_size_out_of_range_is_refused)
{
    CHECK(cmdline_parse("ram=64M", bounded_opts, err, sizeof err));
    CHECK_EQ(bounded, 64ULL << 20);
    CHECK(cmdline_parse("ram=3G", bounded_opts, err, sizeof err));
    CHECK(!cmdline_parse("ram=0", bounded_opts, err, sizeof err));
    CHECK_STR(err, "option 'ram': value 0 is out of range (4M to 3G)");
    CHECK(!cmdline_parse("ram=18446744073709551615", bounded_opts, err, sizeof err));
    CHECK(!cmdline_parse("ram=3073M", bounded_opts, err, sizeof err));
    CHECK(!cmdline_parse("ram=18446744073709551616", bounded_opts, err, sizeof err));
}
