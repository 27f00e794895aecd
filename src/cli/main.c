#include <config.h>
#include <stdio.h>
int main(void) { printf("vnetsim %s\n", PACKAGE_VERSION); return 0; }
