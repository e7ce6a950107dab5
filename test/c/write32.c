/* Built with cc -m32: an i386 program whose first syscalls use the i386 ABI. */
#include <unistd.h>
int main(void) { return write(1, "write32 ok\n", 11) == 11 ? 0 : 1; }
