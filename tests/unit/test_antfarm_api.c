// test_antfarm_api.c — antfarm's event lines, JSON, summaries, queries and options.
#include "unit.h"
#include "test_antfarm_guest.h"

#define MS 1000000ull

// A booted guest with antfarm configured by cfg; init is pid 1.
static struct fg *booted_with(const struct antfarm_config *cfg, u32 *init)
{
    struct fg *g = fg_new(0, cfg);
    lx_boot(g, false);
    lx_start_init(g, 0, init);
    return g;
}

TEST(antfarm_event_lines_exact)
{
    u32 init;
    struct fg *g = booted_with(NULL, &init);
    char want[256];
    snprintf(want, sizeof want, "antfarm vm=0 ev=create pid=1 asid=0x%08x t=1.000000 tsc=3000000000\n", init);
    CHECK(unit_log_contains(want));
    u32 c = lx_fork(g, init);
    fg_advance(g, 1500);                // 1.5 us: printed truncated to micros
    fg_load(g, 0, c);
    fg_advance(g, 2 * MS);
    antfarm_add_disk(g->af, 2, 3, 12288);
    antfarm_add_disk(g->af, 99, 1, 512);   // no such process: ignored
    lx_unmap_all(g, c);
    fg_advance(g, MS);
    fg_load(g, 0, init);
    snprintf(want, sizeof want, "antfarm vm=0 ev=exit pid=2 asid=0x%08x t=1.003001 "
             "tsc=3009004500 life=0.003000 cpu=0.003000 switches=1 ptwrites=4 "
             "lag=0.001000 disk_reqs=3 disk_bytes=12288\n", c);
    CHECK_STR(strstr(unit_log(), "antfarm vm=0 ev=exit"), want);
    CHECK(!unit_log_contains("ev=switch"));
    fg_free(g);
}

TEST(antfarm_switch_events_when_asked)
{
    struct antfarm_config cfg;
    antfarm_config_default(&cfg);
    cfg.switch_events = true;
    u32 init;
    struct fg *g = booted_with(&cfg, &init);
    u32 c = lx_fork(g, init);
    fg_load(g, 0, c);
    fg_load(g, 0, init);
    CHECK(unit_log_contains("antfarm vm=0 ev=switch from=1 to=2 t=1.000000 tsc=3000000000\n"));
    CHECK(unit_log_contains("ev=switch from=2 to=1 "));
    CHECK_EQ(fg_count("ev=switch"), 2);
    fg_free(g);
}

TEST(antfarm_json_lines)
{
    struct antfarm_config cfg;
    antfarm_config_default(&cfg);
    cfg.json = true;
    u32 init;
    struct fg *g = booted_with(&cfg, &init);
    char want[256];
    snprintf(want, sizeof want, "{\"src\":\"antfarm\",\"vm\":0,\"ev\":\"create\",\"pid\":1,"
             "\"asid\":\"0x%08x\",\"t\":1.000000,\"tsc\":3000000000}\n", init);
    CHECK(unit_log_contains(want));
    antfarm_summary(g->af);
    CHECK(unit_log_contains("{\"src\":\"antfarm\",\"vm\":0,\"ev\":\"summary\",\"live\":1,"
                            "\"created\":1,\"exited\":0,\"switches\":0,\"t\":1.000000}\n"));
    CHECK(unit_log_contains("\"ev\":\"live\",\"pid\":1,"));
    fg_free(g);
}

TEST(antfarm_summary_lists_live_processes)
{
    u32 init;
    struct fg *g = booted_with(NULL, &init);
    u32 c = lx_fork(g, init);
    fg_load(g, 0, c);
    fg_advance(g, 2 * MS);
    unit_log_reset();
    antfarm_summary(g->af);
    CHECK(unit_log_contains("antfarm vm=0 ev=summary live=2 created=2 exited=0 switches=1 t=1.002000\n"));
    char want[256];
    snprintf(want, sizeof want, "antfarm vm=0 ev=live pid=2 asid=0x%08x created=1.000000 "
             "cpu=0.002000 switches=1 ptwrites=0 disk_reqs=0 disk_bytes=0\n", c);
    CHECK(unit_log_contains(want));
    CHECK(strstr(unit_log(), "ev=live pid=1 ") < strstr(unit_log(), "ev=live pid=2 "));
    fg_free(g);
}

TEST(antfarm_periodic_summary)
{
    struct antfarm_config cfg;
    antfarm_config_default(&cfg);
    cfg.summary_secs = 2;
    u32 init;
    struct fg *g = booted_with(&cfg, &init);
    antfarm_tick(g->af);
    CHECK_EQ(fg_count("ev=summary"), 0);
    fg_advance(g, 2000 * MS);
    antfarm_tick(g->af);
    antfarm_tick(g->af);
    CHECK_EQ(fg_count("ev=summary"), 1);
    fg_advance(g, 2000 * MS);
    fg_load(g, 0, g->swapper);          // CR3 loads check too
    CHECK_EQ(fg_count("ev=summary"), 2);
    fg_free(g);
}

TEST(antfarm_vm_end_closes_cpu_and_summarizes)
{
    u32 init;
    struct fg *g = booted_with(NULL, &init);
    fg_advance(g, 5 * MS);
    antfarm_vm_end(g->af);
    CHECK(unit_log_contains("ev=summary live=1 created=1 exited=0 switches=0 t=1.005000"));
    CHECK(unit_log_contains("ev=live pid=1 "));
    CHECK(unit_log_contains(" cpu=0.005000 "));
    fg_free(g);
}

// Collect pids: pids[0] is the count, the pids follow.
static void visit(void *arg, const struct antfarm_proc_stats *p)
{
    u32 *pids = arg;
    pids[pids[0]++ + 1] = p->pid;
}

TEST(antfarm_for_each_and_current)
{
    u32 init;
    struct fg *g = booted_with(NULL, &init);
    u32 a = lx_fork(g, init), b = lx_fork(g, init);
    fg_load(g, 1, a);
    fg_load(g, 2, b);
    CHECK_EQ(antfarm_current(g->af, 0), 1);
    CHECK_EQ(antfarm_current(g->af, 1), 2);
    CHECK_EQ(antfarm_current(g->af, 2), 3);
    CHECK_EQ(antfarm_current(g->af, 3), 0);
    CHECK_EQ(antfarm_current(g->af, -1), 0);
    CHECK_EQ(antfarm_current(g->af, ANTFARM_MAX_VCPUS), 0);
    u32 pids[8] = { 0 };
    antfarm_for_each(g->af, visit, pids);
    CHECK_EQ(pids[0], 3);
    CHECK_EQ(pids[1], 1);
    CHECK_EQ(pids[2], 2);
    CHECK_EQ(pids[3], 3);
    fg_free(g);
}

TEST(antfarm_config_options)
{
    struct antfarm_config cfg;
    antfarm_config_default(&cfg);
    CHECK(cfg.enabled && !cfg.switch_events && !cfg.json && cfg.summary_secs == 0);
    CHECK(antfarm_config_set(&cfg, "antfarm", "off"));
    CHECK(!cfg.enabled);
    CHECK(antfarm_config_set(&cfg, "antfarm.switch", "on"));
    CHECK(antfarm_config_set(&cfg, "antfarm.json", "on"));
    CHECK(antfarm_config_set(&cfg, "antfarm.summary", "30"));
    CHECK(cfg.switch_events && cfg.json && cfg.summary_secs == 30);
    CHECK(!antfarm_config_set(&cfg, "antfarm.json", "yes"));
    CHECK(!antfarm_config_set(&cfg, "antfarm.summary", "3x"));
    CHECK(!antfarm_config_set(&cfg, "antfarm.summary", ""));
    CHECK(!antfarm_config_set(&cfg, "antfarm.summary", "99999999999"));
    CHECK(!antfarm_config_set(&cfg, "iosched", "as"));
    CHECK(cfg.json && cfg.summary_secs == 30);
}

TEST(antfarm_observer_none_does_nothing)
{
    u32 e[1024] = { 0 };
    mmu_observer_none.cr3_load(mmu_observer_none.ctx, 0, 0, 0x1000);
    mmu_observer_none.pte_write(mmu_observer_none.ctx, 0x1000, 0, 0, 1, PT_LEVEL_DIR);
    mmu_observer_none.pt_track(mmu_observer_none.ctx, 0x1000, PT_LEVEL_TABLE, e, true);
    mmu_observer_none.tlb_flush(mmu_observer_none.ctx, 0, TLB_FLUSH_ALL, 0x1000, 0);
    mmu_observer_none.user_mode(mmu_observer_none.ctx, 0, 0x1000);
    CHECK_EQ(fg_count("antfarm"), 0);
}
