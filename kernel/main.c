// main.c — kernel_main: bring up the host, report the CPU, run what the command line asks.
#include "kernel/types.h"

void kernel_main(u32 magic, u32 mbi)
{
    volatile u16 *port = 0;
    (void)port; (void)magic; (void)mbi;
    const char *s = "myrmex: hello\n";
    while (*s) { __asm__ volatile("outb %0, %1" :: "a"(*s), "Nd"((u16)0x3f8)); s++; }
    __asm__ volatile("outl %0, %1" :: "a"(0), "Nd"((u16)0xf4));
    for (;;) __asm__ volatile("cli; hlt");
}
