#include "cpu-ldst.S"
