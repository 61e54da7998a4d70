#include "cpu-mul.S"
