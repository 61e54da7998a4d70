#include "cpu-excl.S"
