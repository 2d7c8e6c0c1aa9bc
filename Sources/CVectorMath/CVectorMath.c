// The target exists to link libmvec and export its declarations; the functions live in glibc.
#include "CVectorMath.h"
