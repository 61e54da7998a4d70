#include "cpu-tbb.S"
