// test_antfarm_linux.c — antfarm on synthetic traces of Linux 2.4, 2.6+ and kernel-only spaces.
#include "unit.h"
#include "test_antfarm_guest.h"

#define MS 1000000ull
#define STACK_VA 0xbffff000u
#define TEXT_VA  0x08048000u

// A booted guest (boot directory, then init as pid 1 on vCPU 0).
static struct fg *booted(bool vsyscall, u32 *init)
{
    struct fg *g = fg_new(0, NULL);
    lx_boot(g, vsyscall);
    lx_start_init(g, 0, init);
    return g;
}

#define CREATED(g)  fg_totals(g).created
#define EXITED(g)   fg_totals(g).exited
#define SWITCHES(g) fg_totals(g).switches
#define LIVE(g)     fg_totals(g).live

TEST(antfarm_boot_directory_is_silent_and_init_is_pid_1)
{
    u32 init;
    struct fg *g = fg_new(0, NULL);
    lx_boot(g, false);
    CHECK_EQ(fg_count("ev="), 0);
    CHECK_EQ(antfarm_current(g->af, 0), 0);
    lx_start_init(g, 0, &init);
    CHECK_EQ(fg_count("ev=create"), 1);
    CHECK(unit_log_contains("ev=create pid=1 "));
    CHECK_EQ(antfarm_current(g->af, 0), 1);
    CHECK_EQ(SWITCHES(g), 0);
    fg_free(g);
}

// Linux 2.4 exec empties and refills the same address space, with same-value CR3 reloads:
// one process, one create, one exit.
TEST(antfarm_linux24_exec_reuses_address_space)
{
    u32 init;
    struct fg *g = booted(false, &init);
    u32 c = lx_fork(g, init);
    fg_load(g, 0, c);
    CHECK(unit_log_contains("ev=create pid=2 "));
    lx_unmap_all(g, c);                 // exec: flush_old_exec clears the user half
    fg_load(g, 0, c);                   // ... and reloads CR3 with the same value
    fg_advance(g, MS);
    lx_map(g, c, STACK_VA, PTE_USER);
    lx_map(g, c, TEXT_VA, PTE_USER);
    fg_load(g, 0, c);
    CHECK_EQ(EXITED(g), 0);
    lx_unmap_all(g, c);                 // exit
    fg_load(g, 0, c);
    CHECK_EQ(EXITED(g), 0);
    fg_load(g, 0, init);                // switched out empty: gone
    CHECK(unit_log_contains("ev=exit pid=2 "));
    fg_free_dir(g, c);
    CHECK_EQ(CREATED(g), 2);
    CHECK_EQ(EXITED(g), 1);
    CHECK_EQ(SWITCHES(g), 2);
    fg_free(g);
}

// Linux 2.6+: exec builds a new address space (argv already mapped), loads it, then tears
// the old one down: the documented split into two processes, the old one exiting at once.
TEST(antfarm_linux26_exec_split)
{
    u32 init;
    struct fg *g = booted(false, &init);
    u32 c = lx_fork(g, init);
    fg_load(g, 0, c);
    fg_advance(g, MS);
    u32 n = lx_mm_new(g);
    lx_map(g, n, STACK_VA, PTE_USER);   // copy_strings into the new mm
    fg_load(g, 0, n);                   // exec_mmap: activate_mm
    CHECK(unit_log_contains("ev=create pid=3 "));
    CHECK_EQ(EXITED(g), 0);
    lx_unmap_all(g, c);                 // mmput(old_mm) after the switch
    CHECK(unit_log_contains("ev=exit pid=2 "));
    CHECK(unit_log_contains("life=0.001000 "));
    CHECK(unit_log_contains("lag=0.000000 "));
    fg_free_dir(g, c);
    lx_map(g, n, TEXT_VA, PTE_USER);
    fg_user(g, 0);
    lx_unmap_all(g, n);
    fg_load(g, 0, init);
    CHECK(unit_log_contains("ev=exit pid=3 "));
    CHECK_EQ(CREATED(g), 3);
    CHECK_EQ(EXITED(g), 2);
    CHECK_EQ(SWITCHES(g), 3);           // 1->2, 2->3 (the split), 3->1
    fg_free(g);
}

// vfork: the child borrows the parent's address space (no CR3 load); its exec makes the
// only new address space.
TEST(antfarm_vfork_exec_one_address_space)
{
    u32 init;
    struct fg *g = booted(false, &init);
    fg_load(g, 0, init);                // the vfork child runs: same CR3
    u32 n = lx_mm_new(g);
    lx_map(g, n, STACK_VA, PTE_USER);
    fg_load(g, 0, n);
    fg_load(g, 0, init);                // the parent resumes
    CHECK_EQ(CREATED(g), 2);
    CHECK_EQ(EXITED(g), 0);
    CHECK_EQ(SWITCHES(g), 2);
    fg_free(g);
}

// Linux 2.4 vfork+exec: the new address space is loaded empty and filled while loaded; it
// becomes a process at its first user mapping, dated from its first load.
TEST(antfarm_vfork_exec_linux24_empty_load)
{
    u32 init;
    struct fg *g = booted(false, &init);
    u32 n = lx_mm_new(g);
    fg_advance(g, 5 * MS);
    fg_load(g, 0, n);
    u64 loaded_at = g->now_ns;
    CHECK_EQ(CREATED(g), 1);
    CHECK_EQ(antfarm_current(g->af, 0), 0);
    fg_advance(g, MS);
    lx_map(g, n, TEXT_VA, PTE_USER);
    CHECK_EQ(CREATED(g), 2);
    CHECK_EQ(antfarm_current(g->af, 0), 2);
    struct antfarm_proc_stats st;
    CHECK(antfarm_stats(g->af, 2, &st));
    CHECK_EQ(st.created_ns, loaded_at);
    CHECK_EQ(SWITCHES(g), 1);
    fg_free(g);
}

// Lazy TLB: after exit_mmap the idle task keeps the dead address space in CR3; the exit is
// seen at the next CR3 load, and ev=exit reports that lag.
TEST(antfarm_lazy_tlb_exit_lag)
{
    u32 init;
    struct fg *g = booted(false, &init);
    u32 c = lx_fork(g, init);
    fg_load(g, 0, c);
    lx_unmap_all(g, c);
    fg_advance(g, 10 * MS);             // idle borrows c's address space
    CHECK_EQ(EXITED(g), 0);
    CHECK_EQ(antfarm_current(g->af, 0), 2);
    fg_load(g, 0, init);
    CHECK(unit_log_contains("ev=exit pid=2 "));
    CHECK(unit_log_contains("lag=0.010000 "));
    fg_free(g);
}

// Linux 6.1 boots through initial_page_table, then swapper_pg_dir; after boot, text_poke
// loads its own address space with a supervisor mapping at a user address. All silent.
TEST(antfarm_kernel_only_spaces_silent)
{
    struct fg *g = fg_new(0, NULL);
    u32 ipt = fg_alloc(g), kt = fg_alloc(g), low = fg_alloc(g);
    fg_mem(g, kt)[0] = 0x00100000u | PTE_KERNEL;
    fg_mem(g, low)[0] = 0x00100000u | PTE_KERNEL;
    fg_write(g, ipt, 0, low | PTE_USER);          // identity map of low memory
    fg_write(g, ipt, LX_KERNEL_PDE, kt | PTE_USER);
    fg_load(g, 0, ipt);
    g->swapper = fg_alloc(g);
    fg_write(g, g->swapper, LX_KERNEL_PDE, kt | PTE_USER);
    fg_load(g, 0, g->swapper);
    fg_write(g, g->swapper, LX_KERNEL_PDE + 1, fg_alloc(g) | PTE_USER);
    u32 init, poke = lx_mm_new(g);
    lx_start_init(g, 0, &init);
    for (int i = 0; i < 3; i++) {
        fg_load(g, 0, poke);
        lx_map(g, poke, 0x12345000u, PTE_KERNEL);     // the page being patched
        CHECK_EQ(antfarm_current(g->af, 0), 0);
        fg_write(g, fg_mem(g, poke)[0x12345000u >> 22] & ~0xfffu, 0x145, 0);
        fg_load(g, 0, init);
    }
    CHECK_EQ(CREATED(g), 1);
    CHECK_EQ(EXITED(g), 0);
    CHECK_EQ(SWITCHES(g), 0);
    CHECK_EQ(fg_count("ev=create"), 1);
    fg_free(g);
}

// Linux 2.6.0-2.6.17: the vsyscall page is user-accessible in the fixmap table every
// address space shares. It must not keep processes alive.
TEST(antfarm_vsyscall_in_shared_kernel_table)
{
    u32 init;
    struct fg *g = booted(true, &init);
    CHECK_EQ(CREATED(g), 1);
    u32 c = lx_fork(g, init);
    fg_load(g, 0, c);
    lx_unmap_all(g, c);
    fg_load(g, 0, init);
    CHECK(unit_log_contains("ev=exit pid=2 "));
    CHECK_EQ(LIVE(g), 1);
    fg_free(g);
}

// Later kernels with a compat vDSO: the user-accessible fixmap entry appears in a table
// linked only from the second boot directory, after the first one ran.
TEST(antfarm_compat_vdso_in_second_boot_directory)
{
    struct fg *g = fg_new(0, NULL);
    u32 ipt = fg_alloc(g), kt = fg_alloc(g), fix = fg_alloc(g);
    fg_write(g, ipt, LX_KERNEL_PDE, kt | PTE_USER);
    fg_load(g, 0, ipt);
    g->swapper = fg_alloc(g);
    fg_write(g, g->swapper, LX_KERNEL_PDE, kt | PTE_USER);
    fg_load(g, 0, g->swapper);
    fg_write(g, g->swapper, LX_FIXMAP_PDE, fix | PTE_USER);
    fg_write(g, fix, 1022, 0x00200000u | PTE_P | PTE_US);
    CHECK_EQ(fg_count("ev="), 0);
    u32 init;
    lx_start_init(g, 0, &init);
    u32 c = lx_fork(g, init);
    fg_load(g, 0, c);
    lx_unmap_all(g, c);
    fg_load(g, 0, init);
    CHECK_EQ(CREATED(g), 2);
    CHECK_EQ(EXITED(g), 1);
    fg_free(g);
}

// A process whose user pages are all swapped out (non-present, non-zero entries) lives on.
TEST(antfarm_all_user_pages_swapped_out)
{
    u32 init;
    struct fg *g = booted(false, &init);
    u32 c = lx_fork(g, init);
    fg_load(g, 0, c);
    lx_map(g, c, 0x40000000u, PTE_USER);
    fg_load(g, 0, init);
    for (unsigned i = 0; i < LX_KERNEL_PDE; i++) {
        u32 pde = fg_mem(g, c)[i];
        if (!pde) continue;
        u32 t = pde & ~0xfffu;
        for (unsigned j = 0; j < 1024; j++)
            if (fg_mem(g, t)[j]) fg_write(g, t, j, (j + 1) << 8);   // a swap entry, P=0
    }
    CHECK_EQ(EXITED(g), 0);
    fg_load(g, 0, c);                   // swapped in again later: the same process
    CHECK_EQ(CREATED(g), 2);
    fg_load(g, 0, init);
    lx_unmap_all(g, c);
    CHECK(unit_log_contains("ev=exit pid=2 "));
    fg_free(g);
}

// A new address space that reuses a freed directory page is a new process.
TEST(antfarm_asid_reuse_is_a_new_process)
{
    u32 init;
    struct fg *g = booted(false, &init);
    u32 c = lx_fork(g, init);
    fg_load(g, 0, c);
    lx_unmap_all(g, c);
    fg_load(g, 0, init);
    fg_free_dir(g, c);
    fg_alloc_at(g, c);
    for (unsigned i = LX_KERNEL_PDE; i < 1024; i++) fg_write(g, c, i, fg_mem(g, g->swapper)[i]);
    lx_map(g, c, STACK_VA, PTE_USER);
    fg_load(g, 0, c);
    CHECK(unit_log_contains("ev=create pid=3 "));
    struct antfarm_proc_stats st;
    CHECK(antfarm_stats(g->af, 3, &st));
    CHECK_EQ(st.asid, c);
    CHECK(!antfarm_stats(g->af, 2, &st));
    fg_free(g);
}

// Two VMs with the same directory addresses: separate registries, pids and totals.
TEST(antfarm_several_vms_same_asids)
{
    u32 init0, init1;
    struct fg *a = fg_new(0, NULL), *b = fg_new(1, NULL);
    lx_boot(a, false);
    lx_boot(b, false);
    lx_start_init(a, 0, &init0);
    lx_start_init(b, 0, &init1);
    CHECK_EQ(init0, init1);
    u32 ca = lx_fork(a, init0), cb = lx_fork(b, init1);
    CHECK_EQ(ca, cb);
    fg_load(a, 0, ca);
    fg_load(b, 0, cb);
    lx_unmap_all(a, ca);
    fg_load(a, 0, init0);
    char line[128];
    snprintf(line, sizeof line, "antfarm vm=1 ev=create pid=2 asid=0x%08x", cb);
    CHECK(unit_log_contains(line));
    CHECK(unit_log_contains("antfarm vm=0 ev=exit pid=2 "));
    CHECK(!unit_log_contains("antfarm vm=1 ev=exit"));
    CHECK_EQ(EXITED(a), 1);
    CHECK_EQ(EXITED(b), 0);
    CHECK_EQ(antfarm_current(b->af, 0), 2);
    fg_free(a);
    fg_free(b);
}

// A user page table linked from two directories counts for each of them.
TEST(antfarm_page_table_shared_between_directories)
{
    u32 init;
    struct fg *g = booted(false, &init);
    u32 a = lx_mm_new(g), b = lx_mm_new(g), t = fg_alloc(g);
    fg_mem(g, t)[5] = 0x30000000u | PTE_USER;
    fg_write(g, a, 100, t | PTE_USER);
    fg_write(g, b, 100, t | PTE_USER);
    fg_load(g, 0, a);
    fg_load(g, 1, b);
    CHECK_EQ(CREATED(g), 3);
    fg_write(g, t, 6, 0x30001000u | PTE_USER);
    struct antfarm_proc_stats sa, sb;
    CHECK(antfarm_stats(g->af, 2, &sa));
    CHECK(antfarm_stats(g->af, 3, &sb));
    CHECK_EQ(sa.ptwrites, 1);
    CHECK_EQ(sb.ptwrites, 1);
    fg_load(g, 0, init);
    fg_write(g, a, 100, 0);             // a lets go of it: a is empty and not loaded
    CHECK(unit_log_contains("ev=exit pid=2 "));
    CHECK_EQ(LIVE(g), 2);
    fg_write(g, t, 5, 0);
    fg_write(g, t, 6, 0);               // b empty, but loaded on vCPU 1
    CHECK_EQ(LIVE(g), 2);
    fg_load(g, 1, init);
    CHECK(unit_log_contains("ev=exit pid=3 "));
    fg_free(g);
}
