ALTER INDEX articles_search_title_idx RESET (fastupdate);
ALTER INDEX search_documents_document_idx RESET (fastupdate);
