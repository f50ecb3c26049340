// timer.c — a sorted list of one-shot deadlines, driven by the PIT's one-shot IRQ 0.
#include "kernel/timer.h"
#include "kernel/time.h"
#include "kernel/pit.h"
#include "kernel/trap.h"
#include "kernel/x86.h"

static struct timer *head;
u64 timer_irqs;

// Program the PIT for the earliest deadline (it re-arms itself if the PIT cannot reach).
static void reprogram(void)
{
    if (!head) return;
    u64 now = time_ns();
    pit_oneshot(head->deadline > now ? head->deadline - now : 0);
}

static void unlink(struct timer *t)
{
    for (struct timer **p = &head; *p; p = &(*p)->next)
        if (*p == t) { *p = t->next; break; }
    t->armed = false;
}

void timer_arm(struct timer *t, u64 deadline)
{
    u64 flags = read_rflags();
    cli();
    if (t->armed) unlink(t);
    t->deadline = deadline;
    struct timer **p = &head;
    while (*p && (*p)->deadline <= deadline) p = &(*p)->next;
    t->next = *p;
    *p = t;
    t->armed = true;
    if (head == t) reprogram();
    if (flags & RFLAGS_IF) sti();
}

void timer_cancel(struct timer *t)
{
    u64 flags = read_rflags();
    cli();
    if (t->armed) unlink(t);
    if (flags & RFLAGS_IF) sti();
}

void timer_run_expired(void)
{
    u64 flags = read_rflags();
    cli();
    while (head && head->deadline <= time_ns()) {
        struct timer *t = head;
        unlink(t);
        t->fn(t);
    }
    reprogram();
    if (flags & RFLAGS_IF) sti();
}

static void timer_irq(int irq)
{
    timer_irqs++;
    timer_run_expired();
}

void timer_init(void)
{
    irq_register(IRQ_TIMER, timer_irq);
}
