// The module is header-only (CSpinWait.h); SwiftPM needs one source file per C target.
#include "CSpinWait.h"
