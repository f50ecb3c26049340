// sweep.c — cpu.elf: a read of every port, and a BAR moved onto a taken range again and
// again; the VM runs on (the log lines these cause are bounded: see 30-guests-qemu.sh)
#include "cpu.h"
#include "io.h"
#include "print.h"
#include "test.h"

#define PORTS          0x10000u
#define EXIT_PORT_LEN  4                  // a dword port: 0xf4..0xf7
#define PCI_ADDR_PORT  0xcf8
#define PCI_DATA_PORT  0xcfc
#define PCI_ENABLE     0x80000000u
#define PIIX_IDE       ((1u << 11) | (1u << 8))   // bus 0, device 1, function 1
#define PCI_COMMAND    0x04
#define PCI_CMD_IO     0x0001u
#define PCI_BAR4       0x20
#define PCI_BAR_IO     0x1u
#define COM1_BM_CLASH  0x3f0u             // a 16-port block over COM1's 0x3f8..0x3ff
#define BAR_MOVES      1000
#define SCRATCH_MARK   0x3c

// PIIX IDE config dword at offset off.
static uint32_t ide_cfg_read(uint32_t off) {
    outl(PCI_ADDR_PORT, PCI_ENABLE | PIIX_IDE | off);
    return inl(PCI_DATA_PORT);
}
static void ide_cfg_write(uint32_t off, uint32_t v) {
    outl(PCI_ADDR_PORT, PCI_ENABLE | PIIX_IDE | off);
    outl(PCI_DATA_PORT, v);
}

// COM1 still answers: its scratch register keeps a byte.
static int com1_alive(void) {
    outb(COM1_SCRATCH, SCRATCH_MARK);
    return inb(COM1_SCRATCH) == SCRATCH_MARK;
}

// IN byte from every port but the exit port (reads only: no write may reset the VM).
static void sweep_ports(void) {
    uint32_t ones = 0;
    for (uint32_t p = 0; p < PORTS; p++) {
        if (p >= EXIT_PORT && p < EXIT_PORT + EXIT_PORT_LEN) continue;
        ones += inb((uint16_t)p) == 0xff;
    }
    gprintf("INFO port_sweep: %u of %u ports read 0xff\n", ones, PORTS - EXIT_PORT_LEN);
    uint8_t b = inb(UNKNOWN_PORT);
    test_check(b == 0xff && com1_alive(), "port_sweep_in_byte", "port 0x%x reads %x after the sweep", UNKNOWN_PORT, b);
}

// Move the IDE bus-master BAR onto COM1's ports BAR_MOVES times (each refused by the
// VMM's port bus), then back: COM1 keeps its ports and the BAR reads back.
static void move_bar_onto_com1(void) {
    if (!myrmex()) {                      // natively the block would shadow COM1 for real
        test_skip("pci_bar_clash_loop", "no myrmex");
        return;
    }
    uint32_t bar = ide_cfg_read(PCI_BAR4), cmd = ide_cfg_read(PCI_COMMAND);
    ide_cfg_write(PCI_COMMAND, cmd | PCI_CMD_IO);
    for (int i = 0; i < BAR_MOVES; i++) ide_cfg_write(PCI_BAR4, COM1_BM_CLASH | PCI_BAR_IO);
    int alive = com1_alive();
    ide_cfg_write(PCI_BAR4, bar);
    ide_cfg_write(PCI_COMMAND, cmd);
    uint32_t back = ide_cfg_read(PCI_BAR4);
    test_check(alive && back == bar && com1_alive(), "pci_bar_clash_loop", "com1 alive=%d, bar4 %x -> %x", alive, bar,
               back);
}

// Port reads everywhere and a BAR clash loop; last, as they disturb device state.
void check_port_sweep(void) {
    sweep_ports();
    move_bar_onto_com1();
}
