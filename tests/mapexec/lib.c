/* The library tests/mapexec.bats loads (LD_PRELOAD, dlopen). */
int gh_mapexec_lib(void);

int gh_mapexec_lib(void)
{
	return 42;
}
