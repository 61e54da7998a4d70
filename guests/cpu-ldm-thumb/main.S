#include "cpu-ldm.S"
