#include "cpu-media.S"
