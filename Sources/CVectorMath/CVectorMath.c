// The target exists to link libmvec and export its declarations (the functions live in glibc)
// and the inline helpers of the header, which need no object code of their own.
#include "CVectorMath.h"
