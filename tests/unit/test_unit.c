// test_unit.c — the runner itself: a passing check and log capture.
#include "unit.h"
#include "kernel/log.h"

TEST(log_capture)
{
    klog(LOG_INFO, "antfarm vm=%d ev=%s", 0, "create");
    CHECK(unit_log_contains("vm=0 ev=create"));
    CHECK(!unit_log_contains("ev=exit"));
}
