// pic.h — the host's 8259 pair: remapped to vectors 32-47, all lines masked until used.
#pragma once
#include "kernel/types.h"

void pic_init(void);
void pic_unmask(int irq);
void pic_mask(int irq);
void pic_eoi(int irq);
// True for a spurious IRQ 7/15 (nothing in the ISR): it must not be acknowledged.
bool pic_is_spurious(int irq);
