module proto
go 1.26
