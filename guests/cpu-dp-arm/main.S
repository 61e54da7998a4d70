#include "cpu-dp.S"
