/*
 * main.c - the gleaner binary: everything else is in libgleaner.
 */
#include "agent/cli.h"

int main(int argc, char **argv)
{
    return gl_cli_main(argc, argv);
}
