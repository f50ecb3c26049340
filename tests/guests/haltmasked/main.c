// main.c — haltmasked.elf: `sti; hlt` with every interrupt line masked. Nothing can
// ever wake the CPU: myrmex must stop the VM (reason halt-masked) and go on with the
// next one. Argument `cascade`: the PICs are programmed and only the cascade line (master
// IRQ 2) is open, the slave wholly masked: still nothing can reach the CPU. Natively the
// CPU would wait forever, so the guest checks nothing there and ends.
#include <stdint.h>
#include "io.h"
#include "multiboot.h"
#include "pic.h"
#include "print.h"
#include "test.h"

void guest_main(void) {
    if (!myrmex()) {
        test_skip("halt_masked", "no myrmex: natively nothing would wake the CPU");
        test_finish();
    }
    if (cmdline_has("cascade")) pic_init();   // master 0xfb: only IRQ 2; slave 0xff
    gprintf("INFO haltmasked: sti; hlt with every line masked\n");
    sti_hlt();
    test_fail("halt_masked", "the halt ended: something woke the CPU");
    test_finish();
}
