// hostile.c — hostile.elf: run the one attack named by `attack=NAME` on the command line
#include "hostile.h"
#include "io.h"
#include "multiboot.h"
#include "paging.h"
#include "print.h"
#include "test.h"
#include "trap.h"

int memcmp(const void *a, const void *b, unsigned n);

static const struct attack *const tables[] = { paging_attacks, ptw_attacks, cpu_attacks, io_attacks, desc_attacks };

// Identity paging on (4 KiB below 4 MiB, 4 MiB pages up to 32 MiB, CR4.PSE); returns the PD.
uint32_t *hostile_paging_on(void) {
    uint32_t *pd = pd_new_identity(PTE_P | PTE_W, PTE_P | PTE_W);
    paging_enable(pd, CR4_PSE);
    return pd;
}

// Run fn in ring 0 and check it raised vector want (TRAP_NONE: no fault).
int expect_vector(const char *name, void (*fn)(void *), void *arg, int want) {
    int r = trap_call(fn, arg);
    return test_check(r == want, name, "vector %d err %x eip %x (want vector %d)", r, r == TRAP_NONE ? 0 : trap_last.err,
                      r == TRAP_NONE ? 0 : trap_last.eip, want);
}

// The first 4 MiB-aligned guest-physical address at or above the end of RAM.
uint32_t beyond_ram(void) { return (boot.ram_end + LARGE_SIZE - 1) & ~(LARGE_SIZE - 1); }

// Flush va natively (a real TLB may hold the old entry); under myrmex the shadow must follow.
void native_invlpg(uint32_t va) {
    if (!myrmex()) invlpg(va);
}

// FAIL if a VM-ending attack comes back.
void must_not_return(const char *name) {
    test_fail(name, "the guest survived an attack that must end the VM");
    test_finish();
}

// Compare the `attack=` word of the command line with name.
static int attack_is(const char *name) {
    for (const char *s = boot.cmdline; *s; s++) {
        if ((s == boot.cmdline || s[-1] == ' ') && !memcmp(s, "attack=", 7)) {
            const char *v = s + 7;
            int i = 0;
            while (name[i] && v[i] == name[i]) i++;
            return !name[i] && (v[i] == 0 || v[i] == ' ');
        }
    }
    return 0;
}

// Find the attack and run it; its checks print PASS/FAIL, test_finish ends the VM.
void guest_main(void) {
    for (unsigned t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
        for (const struct attack *a = tables[t]; a->name; a++)
            if (attack_is(a->name)) {
                gprintf("INFO hostile: attack=%s\n", a->name);
                a->fn();
                return;
            }
    test_fail("hostile", "no such attack on the command line: %s", boot.cmdline);
}
