# The two commands of the README.
.PHONY: test run
test:
	bash tools/test.sh $(if $(LAYER),--layer $(LAYER))
run:
	bash tools/run.sh
