module plasticity

go 1.26
