// fuzz_ns16550.c — fuzz the 16550A UART at COM1 through the VM's device set (devprog.h).
#include "tests/fuzz/devprog.h"
#include "tests/fuzz/fuzz.h"
#include "vmm/dev/ns16550.h"

#define COM1 NS16550_COM1_PORT
static const u16 focus[] = { COM1, COM1 + 1, COM1 + 2, COM1 + 3, COM1 + 4, COM1 + 5,
                             COM1 + 6, COM1 + 7 };

// Seeds: a Linux-like setup (divisor, 8N1, FIFOs, interrupts), output, input bytes, loop.
void fuzz_init(void)
{
    struct dpseed s = { .n = 0 };
    dps_pic_init(&s);
    dps_out(&s, COM1 + NS16550_LCR, 1, NS16550_LCR_DLAB);
    dps_out(&s, COM1 + NS16550_RBR, 1, 1);
    dps_out(&s, COM1 + NS16550_IER, 1, 0);
    dps_out(&s, COM1 + NS16550_LCR, 1, 0x03);
    dps_out(&s, COM1 + NS16550_IIR, 1, NS16550_FCR_ENABLE | NS16550_FCR_CLEAR_RX | 0xc0);
    dps_out(&s, COM1 + NS16550_MCR, 1, NS16550_MCR_OUT2 | NS16550_MCR_DTR | NS16550_MCR_RTS);
    dps_out(&s, COM1 + NS16550_IER, 1, NS16550_IER_MASK);
    dps_out(&s, COM1 + NS16550_RBR, 1, 'h');
    dps_out(&s, COM1 + NS16550_RBR, 1, '\n');
    for (int i = 0; i < 18; i++) dps_op(&s, DP_RX, (u8)('a' + i));
    dps_in(&s, COM1 + NS16550_IIR, 1);
    dps_op(&s, DP_INTA, 0);
    dps_in(&s, COM1 + NS16550_LSR, 1);
    dps_in(&s, COM1 + NS16550_RBR, 1);
    dps_in(&s, COM1 + NS16550_MSR, 1);
    dps_add(&s);
    s.n = 0;
    dps_out(&s, COM1 + NS16550_MCR, 1, NS16550_MCR_LOOP | NS16550_MCR_OUT2);
    dps_out(&s, COM1 + NS16550_RBR, 1, 0x5a);
    dps_in(&s, COM1 + NS16550_LSR, 1);
    dps_in(&s, COM1 + NS16550_RBR, 1);
    dps_out(&s, COM1 + NS16550_SCR, 1, 0xa5);
    dps_in(&s, COM1 + NS16550_SCR, 1);
    dps_add(&s);
    devprog_tokens(focus, ARRAY_SIZE(focus));
}

// See fuzz.h: run the input as a device program focused on this chip's ports.
void fuzz_one(const unsigned char *data, unsigned long len)
{
    devprog_run(data, len, focus, ARRAY_SIZE(focus));
}
