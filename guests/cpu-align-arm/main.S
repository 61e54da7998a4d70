#include "cpu-align.S"
