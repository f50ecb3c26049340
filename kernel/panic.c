// panic.c — panic, backtrace, and the single way a run ends (machine_exit).
#include "kernel/panic.h"
#include "kernel/config.h"
#include "kernel/console.h"
#include "kernel/log.h"
#include "kernel/lib.h"
#include "kernel/x86.h"

#define BACKTRACE_DEPTH 16
#define KERNEL_TEXT_MIN 0xffffffff80000000ULL
#define BOCHS_SHUTDOWN_PORT 0x8900

static bool panicking;

static const char *status_name(int status)
{
    switch (status) {
    case EXIT_OK: return "ok";
    case EXIT_FAIL: return "failed";
    case EXIT_BAD_CMDLINE: return "bad-cmdline";
    case EXIT_NO_VIRT: return "no-virtualization";
    case EXIT_PANIC: return "panic";
    case EXIT_BAD_MODULE: return "bad-module";
    }
    return "unknown";   // no caller passes another value: only enum exit_status is used
}

// Follow the rbp chain while it stays inside the kernel's stacks and text.
void panic_backtrace(u64 rbp)
{
    for (int i = 0; i < BACKTRACE_DEPTH && rbp >= KERNEL_TEXT_MIN && !(rbp & 7); i++) {
        u64 ret = ((u64 *)rbp)[1];
        if (ret < KERNEL_TEXT_MIN) break;
        log_err("backtrace #%d rip=0x%llx", i, ret);
        rbp = ((u64 *)rbp)[0];
    }
}

// Print the message, a backtrace of the caller, and end the run with EXIT_PANIC.
void panic(const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    cli();
    if (panicking) machine_exit(EXIT_PANIC);
    panicking = true;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_err("PANIC: %s", msg);
    panic_backtrace((u64)__builtin_frame_address(0));
    machine_exit(EXIT_PANIC);
}

// Print the final line, drain the UART, then write the status to the exit port.
void machine_exit(int status)
{
    cli();
    if (log_level < LOG_INFO) log_level = LOG_INFO;   // the verdict line is never filtered
    log_info("myrmex: exit status=%d (%s)", status, status_name(status));
    console_drain();
    if (config.exitport == EXITPORT_BOCHS) {
        for (const char *s = "Shutdown"; *s; s++) outb(BOCHS_SHUTDOWN_PORT, *s);
    } else if (config.exitport > 0) {
        outl((u16)config.exitport, (u32)status);
    }
    for (;;) hlt();
}
