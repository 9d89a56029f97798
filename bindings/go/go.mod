module usagedb

go 1.24
