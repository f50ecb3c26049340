// triplefault.c — load an empty IDT and fault: the VM must stop with a triple fault
#include <stdint.h>
#include "print.h"
#include "test.h"

struct dtr { uint16_t limit; uint32_t base; } __attribute__((packed));

// Fault with no IDT: #UD cannot be delivered (#GP), nor can #GP (#DF), nor #DF: shutdown.
void guest_main(void) {
    static const struct dtr empty = { 0, 0 };
    gprintf("INFO triplefault: loading an empty IDT and executing ud2\n");
    __asm__ volatile("lidt %0\n\tud2" : : "m"(empty));
    test_fail("triplefault", "the guest survived a fault with an empty IDT");
}
