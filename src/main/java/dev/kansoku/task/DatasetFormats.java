package dev.kansoku.task;

import dev.kansoku.config.Registry;

/** Every {@code task.dataset.format}: the published file formats Kansoku reads, each with its loader. */
public final class DatasetFormats {
  public static final Registry<DatasetLoader> REGISTRY = Registry.<DatasetLoader>builder("dataset format")
      .add("xwino-tsv", XwinoTsvLoader::new)
      .add("jsonl", JsonLinesLoader::new)
      .add("json-array", JsonArrayLoader::new)
      .add("niilc-xml", NiilcXmlLoader::new)
      .add("squad-json", SquadJsonLoader::new)
      .add("jmmlu-csv", JmmluCsvLoader::new)
      .add("mmlu-csv", MmluCsvLoader::new)
      .add("openbookqa-jsonl", OpenBookQaLoader::new)
      .add("hellaswag-jsonl", HellaSwagJsonLoader::new)
      .add("hellaswag-text", HellaSwagTextLoader::new)
      .add("mgsm-tsv", MgsmTsvLoader::new)
      .add("mgsm-exemplars", MgsmExemplarsLoader::new)
      .add("parallel-text", ParallelTextLoader::new)
      .add("bbh-json", BbhJsonLoader::new)
      .add("triviaqa-json", TriviaQaJsonLoader::new)
      .build();

  private DatasetFormats() {}
}
