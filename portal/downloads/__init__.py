"""Downloads in the browser and from the shell: the directory (CSV, XLSX, HSDS), caseloads, referrals, the network."""
