module whatsapp-events/deploy/native/ferretdb

// Pins the FerretDB release the native stack builds; install.sh builds it from the module's own source.
go 1.24

require github.com/FerretDB/FerretDB v1.24.2
