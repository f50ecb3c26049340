// test_antfarm_rules.c — antfarm's counting and lifecycle rules, one at a time.
#include "unit.h"
#include "test_antfarm_guest.h"

#define MS 1000000ull

// A booted guest with init as pid 1 on vCPU 0.
static struct fg *booted(u32 *init)
{
    struct fg *g = fg_new(0, NULL);
    lx_boot(g, false);
    lx_start_init(g, 0, init);
    return g;
}

#define created(g) fg_totals(g).created
#define exited(g)  fg_totals(g).exited

// During boot, an address space with user mappings becomes a process only when user code
// runs in it (Linux 2.4 init is loaded empty and filled while loaded); dated from its load.
TEST(antfarm_boot_era_space_becomes_process_at_cpl3)
{
    struct fg *g = fg_new(0, NULL);
    lx_boot(g, false);
    u32 init = lx_mm_new(g);
    fg_advance(g, 2 * MS);
    fg_load(g, 0, init);
    u64 load_ns = g->now_ns;
    fg_advance(g, MS);
    lx_map(g, init, 0x08048000u, PTE_USER);
    CHECK_EQ(created(g), 0);
    fg_user(g, 0);
    CHECK_EQ(created(g), 1);
    struct antfarm_proc_stats st;
    CHECK(antfarm_stats(g->af, 1, &st));
    CHECK_EQ(st.created_ns, load_ns);
    fg_user(g, 0);
    CHECK_EQ(created(g), 1);
    fg_free(g);
}

// CPL 3 under a CR3 antfarm never saw loaded counts as a load of it.
TEST(antfarm_user_mode_under_unseen_cr3)
{
    u32 init;
    struct fg *g = booted(&init);
    u32 n = lx_fork(g, init);
    fg_load(g, 1, n);                   // tracked through vCPU 1 ...
    fg_load(g, 1, init);
    g->cr3[2] = n;                      // ... but vCPU 2's load of it was not reported
    fg_user(g, 2);
    CHECK_EQ(antfarm_current(g->af, 2), 2);
    CHECK_EQ(created(g), 2);
    fg_free(g);
}

// One directory write that replaces a table by another is one change: no transient exit.
TEST(antfarm_table_replaced_in_one_write_no_exit)
{
    u32 init;
    struct fg *g = booted(&init);
    u32 c = lx_mm_new(g);
    lx_map(g, c, 0x40000000u, PTE_USER);
    fg_load(g, 0, c);
    fg_load(g, 0, init);
    u32 t2 = fg_alloc(g);
    fg_mem(g, t2)[7] = 0x30000000u | PTE_USER;
    fg_write(g, c, 0x40000000u >> 22, t2 | PTE_USER);
    CHECK_EQ(exited(g), 0);
    fg_write(g, t2, 7, 0);
    CHECK_EQ(exited(g), 1);
    fg_free(g);
}

// A 4 MiB user page counts once; a 4 MiB supervisor page does not count.
TEST(antfarm_four_mib_pages)
{
    u32 init;
    struct fg *g = booted(&init);
    u32 k = lx_mm_new(g), u = lx_mm_new(g);
    fg_write(g, k, 16, 0x04000000u | PDE_PS | PTE_KERNEL);
    fg_write(g, u, 16, 0x04000000u | PDE_PS | PTE_USER);
    fg_load(g, 0, k);
    CHECK_EQ(antfarm_current(g->af, 0), 0);
    fg_load(g, 0, u);
    CHECK_EQ(antfarm_current(g->af, 0), 2);
    fg_load(g, 0, init);
    fg_write(g, u, 17, 0x04400000u | PDE_PS | PTE_USER);
    fg_write(g, u, 16, 0);
    CHECK_EQ(exited(g), 0);
    u32 t = fg_alloc(g);
    fg_mem(g, t)[9] = 0x30000000u | PTE_USER;
    fg_write(g, u, 17, t | PTE_USER);            // a 4 MiB page becomes a table link
    CHECK_EQ(exited(g), 0);
    fg_write(g, u, 17, 0);
    CHECK_EQ(exited(g), 1);
    fg_free(g);
}

// A table linked through a supervisor-only directory entry maps nothing for user code.
TEST(antfarm_supervisor_pde_hides_its_table)
{
    u32 init;
    struct fg *g = booted(&init);
    u32 d = lx_mm_new(g), t = fg_alloc(g);
    fg_mem(g, t)[0] = 0x30000000u | PTE_USER;
    fg_write(g, d, 5, t | PTE_P | PTE_RW);
    fg_load(g, 0, d);
    CHECK_EQ(antfarm_current(g->af, 0), 0);
    fg_write(g, d, 5, t | PTE_USER);
    CHECK_EQ(antfarm_current(g->af, 0), 2);
    fg_free(g);
}

// An address space loaded on two vCPUs exits only when neither has it.
TEST(antfarm_exit_waits_for_every_vcpu)
{
    u32 init;
    struct fg *g = booted(&init);
    u32 c = lx_fork(g, init);
    fg_load(g, 0, c);
    fg_load(g, 1, c);
    lx_unmap_all(g, c);
    fg_load(g, 0, init);
    CHECK_EQ(exited(g), 0);
    fg_load(g, 1, init);
    CHECK_EQ(exited(g), 1);
    fg_free(g);
}

// A directory freed without being emptied first ends its process.
TEST(antfarm_freed_directory_exits)
{
    u32 init;
    struct fg *g = booted(&init);
    u32 c = lx_fork(g, init);
    fg_load(g, 0, c);
    fg_load(g, 0, init);
    fg_free_dir(g, c);
    CHECK(unit_log_contains("ev=exit pid=2 "));
    fg_free(g);
}

// CPU time is the time an address space is in CR3; switches count changes of process.
TEST(antfarm_cpu_time_and_switches)
{
    u32 init;
    struct fg *g = booted(&init);
    u32 c = lx_fork(g, init);
    fg_advance(g, 2 * MS);
    fg_load(g, 0, c);
    fg_advance(g, 3 * MS);
    fg_load(g, 0, g->swapper);          // a kernel-only space in between: no switch
    fg_advance(g, MS);
    fg_load(g, 0, c);
    fg_advance(g, 4 * MS);
    struct antfarm_proc_stats st;
    CHECK(antfarm_stats(g->af, 2, &st));
    CHECK_EQ(st.cpu_ns, 7 * MS);
    CHECK_EQ(st.switches, 1);
    CHECK_EQ(st.loaded_vcpus, 1);
    fg_load(g, 0, init);
    CHECK(antfarm_stats(g->af, 1, &st));
    CHECK_EQ(st.cpu_ns, 2 * MS);
    CHECK_EQ(st.switches, 1);
    CHECK_EQ(fg_totals(g).switches, 2);
    fg_free(g);
}

// Page-table writes are charged to the owners of the table, never for kernel tables.
TEST(antfarm_ptwrites_charged_to_owner)
{
    u32 init;
    struct fg *g = booted(&init);
    struct antfarm_proc_stats st;
    CHECK(antfarm_stats(g->af, 1, &st));
    u64 before = st.ptwrites;
    lx_map(g, init, 0x40000000u, PTE_USER);          // a directory write and a table write
    u32 kt = fg_mem(g, g->swapper)[LX_KERNEL_PDE] & ~0xfffu;
    fg_write(g, kt, 3, 0x00500000u | PTE_KERNEL);    // kmap-like write: nobody's
    CHECK(antfarm_stats(g->af, 1, &st));
    CHECK_EQ(st.ptwrites, before + 2);
    fg_free(g);
}

// Many live processes at once (the hashes grow), then all gone: totals add up.
TEST(antfarm_many_processes)
{
    enum { N = 150 };
    u32 init, d[N];
    struct fg *g = booted(&init);
    for (int i = 0; i < N; i++) {
        d[i] = lx_mm_new(g);
        lx_map(g, d[i], 0x08048000u, PTE_USER);
        fg_load(g, i % FG_VCPUS, d[i]);
    }
    CHECK_EQ(created(g), N + 1);
    for (int i = 0; i < N; i++) lx_unmap_all(g, d[i]);
    for (int v = 0; v < FG_VCPUS; v++) fg_load(g, v, init);
    CHECK_EQ(exited(g), N);
    struct antfarm_proc_stats st;
    CHECK(antfarm_stats(g->af, 1, &st));
    CHECK(!antfarm_stats(g->af, N + 1, &st));
    fg_free(g);
}
