// ports.c — cpu.elf: an unknown port reads all ones; the UART scratch register holds a byte
#include "cpu.h"
#include "io.h"
#include "print.h"
#include "test.h"

#define SCRATCH_A 0x5a
#define SCRATCH_B 0xa5

// Unknown ports and the UART scratch register.
void check_ports(void) {
    outb(UNKNOWN_PORT, 0);               // writes to nowhere are ignored
    outl(UNKNOWN_PORT, 0);
    uint8_t b = inb(UNKNOWN_PORT);
    uint16_t w = inw(UNKNOWN_PORT);
    uint32_t l = inl(UNKNOWN_PORT);
    test_check(b == 0xff, "port_unknown_byte", "in 0x%x = %x", UNKNOWN_PORT, b);
    test_check(w == 0xffff, "port_unknown_word", "in 0x%x = %x", UNKNOWN_PORT, w);
    test_check(l == 0xffffffffu, "port_unknown_dword", "in 0x%x = %x", UNKNOWN_PORT, l);
    if (!myrmex()) test_check(testdev_read(TESTDEV_MAGIC) == 0xffffffffu, "port_testdev_native", "reads %x",
                              testdev_read(TESTDEV_MAGIC));
    else test_pass("port_testdev_magic");

    outb(COM1_SCRATCH, SCRATCH_A);
    uint8_t s1 = inb(COM1_SCRATCH);
    outb(COM1_SCRATCH, SCRATCH_B);
    uint8_t s2 = inb(COM1_SCRATCH);
    test_check(s1 == SCRATCH_A && s2 == SCRATCH_B, "uart_scratch", "read %x, %x", s1, s2);
}
