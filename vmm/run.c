// run.c — placeholder until the SVM backend lands: no guests yet.
#include "kernel/log.h"
#include "kernel/panic.h"

int vmm_run_guests(void)
{
    log_info("vmm: no guests");
    return EXIT_OK;
}
