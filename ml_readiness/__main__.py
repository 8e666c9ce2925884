from ml_readiness.cli import main

main()
