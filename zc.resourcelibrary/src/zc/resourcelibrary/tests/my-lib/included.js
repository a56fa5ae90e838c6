function myLib() { return "my-lib"; }
