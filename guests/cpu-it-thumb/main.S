#include "cpu-it.S"
