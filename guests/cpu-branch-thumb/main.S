#include "cpu-branch.S"
