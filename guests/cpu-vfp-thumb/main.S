#include "cpu-vfp.S"
