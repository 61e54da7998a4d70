#include "cpu-sys.S"
