// test_config.c — the VMM's option table (kernel/config.c): guest RAM sizes are bounded.
#include "unit.h"
#include "kernel/config.h"

static char err[160];

TEST(config_vm_mem_zero_is_an_error)
{
    CHECK(!config_parse("vm0.mem=0", err, sizeof err));
    CHECK_STR(err, "option 'vm0.mem': value 0 is out of range (4M to 3G)");
}

TEST(config_vm_mem_that_would_wrap_is_an_error)
{
    CHECK(!config_parse("vm0.mem=18446744073709551615", err, sizeof err));
    CHECK(!config_parse("vm1.mem=17179869183G", err, sizeof err));
    CHECK(!config_parse("vm2.mem=4G", err, sizeof err));
}

TEST(config_vm_mem_in_range_is_kept)
{
    CHECK(config_parse("vm3.mem=384M", err, sizeof err));
    CHECK_EQ(config.vm[3].mem, 384ULL << 20);
    CHECK_EQ(config.vm[4].mem, 128ULL << 20);   // the default
}
