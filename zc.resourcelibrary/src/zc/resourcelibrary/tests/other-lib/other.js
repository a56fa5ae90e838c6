var otherLib = true;
